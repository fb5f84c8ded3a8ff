import { checkRange, assertFiniteAtLeast, assertOptionsObject, describe } from '../internal/validate';

/**
 * Options of {@link fitPowerLaw}.
 * @example
 * ```ts
 * // The neuroscience convention: ranks 11..500, no floor added to the eigenvalues.
 * const { alpha } = fitPowerLaw(spectrum, { range: [10, 500], epsilon: 0 });
 * ```
 */
export interface FitPowerLawOptions {
  /**
   * Half-open, 0-based slice [start, end) of the descending spectrum to fit.
   * [0, 10] is ranks 1..10, the slice the paper's authors fit.
   * @default [0, 10]
   */
  range?: readonly [number, number];
  /**
   * Floor added after clipping negatives, as in the paper's code:
   * each value becomes max(lambda, 0) + epsilon before the log.
   * @default 1e-8
   */
  epsilon?: number;
}

/**
 * A power law lambda_n ~ exp(intercept) * n^-alpha fitted in log-log space.
 * @example
 * ```ts
 * const fit: PowerLawFit = fitPowerLaw([1, 0.5, 0.33, 0.25], { range: [0, 4] });
 * console.log(fit.alpha.toFixed(2), fit.r2.toFixed(3)); // close to 1 and 1
 * ```
 */
export interface PowerLawFit {
  /** Decay exponent: minus the least-squares slope of log(lambda) on log(rank). */
  alpha: number;
  /** Intercept of the fit in natural-log space (log lambda at rank 1). */
  intercept: number;
  /** Coefficient of determination of the log-log fit (1 is a perfect power law). */
  r2: number;
}

export const DEFAULT_RANGE: readonly [number, number] = [0, 10];
export const DEFAULT_EPSILON = 1e-8;

/**
 * Fits a power law 1/n^alpha to a descending spectrum by ordinary least
 * squares of log(lambda_n) on log(n) over ranks n = start+1..end (paper
 * Eq. 4-5). Computed in float64 on the host.
 *
 * @example
 * ```ts
 * import { fitPowerLaw } from 'spectral-reg';
 *
 * const spectrum = Array.from({ length: 50 }, (_, i) => (i + 1) ** -2);
 * fitPowerLaw(spectrum, { range: [0, 50] }); // { alpha: 2, intercept: 0, r2: 1 } (to rounding)
 * ```
 */
export function fitPowerLaw(spectrum: ArrayLike<number>, options?: FitPowerLawOptions): PowerLawFit {
  const fn = 'fitPowerLaw';
  if (spectrum === null || typeof spectrum !== 'object' || typeof spectrum.length !== 'number') {
    throw new TypeError(`${fn}: spectrum must be an array of numbers, got ${describe(spectrum)}`);
  }
  assertOptionsObject(fn, options);
  const epsilon = options?.epsilon ?? DEFAULT_EPSILON;
  assertFiniteAtLeast(fn, 'epsilon', epsilon, 0);
  const [start, end] = checkRange(fn, options?.range ?? DEFAULT_RANGE, spectrum.length);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = start; i < end; i++) {
    const value = spectrum[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new RangeError(`${fn}: spectrum[${i}] must be a finite number, got ${describe(value)}`);
    }
    const floored = Math.max(value, 0) + epsilon;
    if (floored <= 0) {
      throw new RangeError(`${fn}: spectrum[${i}] is ${describe(value)}; with epsilon 0 every value in range must be > 0`);
    }
    xs.push(Math.log(i + 1));
    ys.push(Math.log(floored));
  }
  return leastSquaresLine(xs, ys);
}

function leastSquaresLine(xs: number[], ys: number[]): PowerLawFit {
  const n = xs.length;
  const meanX = xs.reduce((a, b) => a + b, 0) / n;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - meanX;
    const dy = (ys[i] as number) - meanY;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  const residual = syy - slope * sxy;
  const r2 = syy > 0 ? Math.max(0, 1 - Math.max(residual, 0) / syy) : 1;
  return { alpha: -slope, intercept, r2 };
}
