import { checkRange, assertFiniteAtLeast, assertKnownOptions, assertOneOf, assertOptionsObject, describe } from '../internal/validate';

/**
 * How the ranks of a log-log fit are weighted.
 * - `'uniform'`: ordinary least squares, the paper's Eq. 4, and the alpha the
 *   paper's authors report.
 * - `'log-spacing'`: weights log10(n + 1) - log10(n), the spacing of the
 *   log ranks, as the authors' `'fixed-slope'` loss weights its residuals
 *   (it evens out the crowding of high ranks).
 * - `'inverse-rank'`: weights 1/n, Stringer et al.'s (2019) estimator; it
 *   gives their alpha of 0.973 for ranks 12..500 of the mouse V1 spectrum.
 * @example
 * ```ts
 * const weighting: PowerLawWeighting = 'inverse-rank';
 * const { alpha } = fitPowerLaw(v1Spectrum, { range: [11, 500], weighting, epsilon: 0 });
 * ```
 */
export type PowerLawWeighting = 'uniform' | 'log-spacing' | 'inverse-rank';

export const POWER_LAW_WEIGHTINGS: readonly PowerLawWeighting[] = ['uniform', 'log-spacing', 'inverse-rank'];

/** The weight of rank n (1-based) under each weighting. */
const RANK_WEIGHT: Record<PowerLawWeighting, (n: number) => number> = {
  uniform: () => 1,
  'log-spacing': (n) => Math.log10(n + 1) - Math.log10(n),
  'inverse-rank': (n) => 1 / n,
};

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
  /**
   * How the ranks are weighted in the least-squares fit; see
   * {@link PowerLawWeighting}.
   * @default 'uniform'
   */
  weighting?: PowerLawWeighting;
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
  /** Coefficient of determination of the (weighted) log-log fit (1 is a perfect power law). */
  r2: number;
}

export const DEFAULT_RANGE: readonly [number, number] = [0, 10];
export const DEFAULT_EPSILON = 1e-8;

/**
 * Fits a power law 1/n^alpha to a descending spectrum by least squares of
 * log(lambda_n) on log(n) over ranks n = start+1..end: ordinary (paper
 * Eq. 4-5) by default, or weighted as the authors' loss or Stringer et al.
 * weight (`weighting`). Computed in float64 on the host.
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
  assertKnownOptions(fn, options, ['range', 'epsilon', 'weighting']);
  const epsilon = options?.epsilon ?? DEFAULT_EPSILON;
  assertFiniteAtLeast(fn, 'epsilon', epsilon, 0);
  const weighting = options?.weighting ?? 'uniform';
  assertOneOf(fn, 'weighting', weighting, POWER_LAW_WEIGHTINGS);
  const [start, end] = checkRange(fn, options?.range ?? DEFAULT_RANGE, spectrum.length);
  const xs: number[] = [];
  const ys: number[] = [];
  const ws: number[] = [];
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
    ws.push(RANK_WEIGHT[weighting](i + 1));
  }
  return leastSquaresLine(xs, ys, ws);
}

/** Weighted least squares of y on x; with equal weights, ordinary least squares. */
function leastSquaresLine(xs: number[], ys: number[], ws: number[]): PowerLawFit {
  const total = ws.reduce((a, b) => a + b, 0);
  const meanX = xs.reduce((a, x, i) => a + (ws[i] as number) * x, 0) / total;
  const meanY = ys.reduce((a, y, i) => a + (ws[i] as number) * y, 0) / total;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const w = ws[i] as number;
    const dx = (xs[i] as number) - meanX;
    const dy = (ys[i] as number) - meanY;
    sxx += w * dx * dx;
    sxy += w * dx * dy;
    syy += w * dy * dy;
  }
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  const residual = syy - slope * sxy;
  const r2 = syy > 0 ? Math.max(0, 1 - Math.max(residual, 0) / syy) : 1;
  return { alpha: -slope, intercept, r2 };
}
