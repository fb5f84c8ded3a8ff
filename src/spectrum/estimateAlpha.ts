import { square, stack, sum, tensor2d, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { assertKnownOptions, assertOneOf, assertOptionsObject, checkActivations, checkFitRange, describe } from '../internal/validate';
import { DEFAULT_RANGE, fitPowerLaw, POWER_LAW_WEIGHTINGS, type PowerLawFit, type PowerLawWeighting } from './fitPowerLaw';
import { chooseMethod, resolveSpectrumOptions, SPECTRUM_OPTION_KEYS, type EigenMethod, type SpectrumOptions } from './options';
import { centred, exactSpectrumAsync, flatActivations, nonFiniteError, normalizedSpectrum, scaledActivations } from './spectrumCore';

/**
 * Options of {@link estimateAlpha}.
 * @example
 * ```ts
 * // Only the leading 50 values, by the subspace method, instead of the full spectrum.
 * const { alpha } = await estimateAlpha(hidden, { range: [0, 50], method: 'subspace' });
 * ```
 */
export interface EstimateAlphaOptions extends Omit<SpectrumOptions, 'method'> {
  /**
   * Half-open, 0-based slice [start, end) of the descending spectrum to fit.
   * [0, 10] is ranks 1..10, the same default as the loss.
   * @default [0, 10]
   */
  range?: readonly [number, number];
  /**
   * `'exact'` returns the full spectrum (all min(N, f) values) for plots;
   * `'subspace'` and `'auto'` compute only the leading `range[1]` values.
   * @default 'exact'
   */
  method?: EigenMethod;
  /** How the fit weights the ranks; see {@link PowerLawWeighting}. @default 'uniform' */
  weighting?: PowerLawWeighting;
}

/**
 * What {@link estimateAlpha} measured.
 * @example
 * ```ts
 * const estimate: AlphaEstimate = await estimateAlpha(hidden);
 * console.log(estimate.alpha, estimate.r2, estimate.spectrum.length, estimate.range);
 * ```
 */
export interface AlphaEstimate extends PowerLawFit {
  /** The normalised, descending spectrum that was fitted (eigenvalues / trace). */
  spectrum: Float32Array;
  /** The [start, end) slice that was fitted. */
  range: [number, number];
}

/**
 * Measures the power-law exponent alpha of the eigenspectrum of a batch of
 * activations (paper Eq. 1-5): centre over the batch, take the covariance
 * eigenvalues in descending order, normalise them by their sum, and fit
 * log(lambda) against log(rank) over `range`.
 *
 * Accepts a tensor of shape [batch, ...features] or a plain 2-D array
 * (centred in float64 before it becomes float32, so a large common offset
 * costs no precision). Does
 * not track gradients; use {@link spectralAlpha} for a differentiable alpha.
 *
 * Refuses, with a RangeError, what would be a number without meaning: a
 * range ending past min(batch - 1, features), the rank of centred
 * activations; activations holding NaN or Infinity; zero variance; and a
 * range reaching eigenvalues below float32 rounding noise. The result is
 * the same for activations of any scale that float32 holds.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { estimateAlpha } from 'spectral-reg';
 *
 * const hidden = tf.randomNormal([1000, 200]);
 * const { alpha, r2, spectrum } = await estimateAlpha(hidden, { range: [0, 10] });
 * console.log(alpha.toFixed(2), r2.toFixed(3), spectrum.length); // spectrum.length === 200
 * ```
 */
export async function estimateAlpha(
  activations: Tensor | number[][],
  options?: EstimateAlphaOptions,
): Promise<AlphaEstimate> {
  const fn = 'estimateAlpha';
  const { spectrum, range } = await measuredSpectrum(fn, activations, options);
  assertResolved(fn, spectrum, range);
  return { ...fitPowerLaw(spectrum, { range, weighting: options?.weighting }), spectrum, range };
}

/**
 * The checked, normalised spectrum that {@link estimateAlpha} fits, with
 * values below float32 rounding noise as 0; shared with measureAlpha.
 * Constant activations are an error, or, with `constantAsZeros` (a dead
 * layer among several measured), a spectrum of k zeros.
 */
export async function measuredSpectrum(
  fn: string,
  activations: Tensor | number[][],
  options: EstimateAlphaOptions | undefined,
  constantAsZeros = false,
): Promise<{ spectrum: Float32Array; range: [number, number] }> {
  assertOptionsObject(fn, options);
  assertKnownOptions(fn, options, [...SPECTRUM_OPTION_KEYS, 'range', 'weighting']);
  const owned = Array.isArray(activations) ? fromArray(fn, activations) : null;
  const input = owned ?? (activations as Tensor);
  try {
    const { batch, features } = checkActivations(fn, input);
    const resolved = resolveSpectrumOptions(fn, { ...options, method: options?.method ?? 'exact' });
    const available = Math.min(batch, features);
    const range = checkFitRange(fn, options?.range ?? DEFAULT_RANGE, batch, features);
    assertOneOf(fn, 'weighting', options?.weighting ?? 'uniform', POWER_LAW_WEIGHTINGS);
    const k = resolved.method === 'exact' ? available : range[1];
    // Scaled first, so that the variance of activations of any float32 size is representable.
    const checkTensor = tidy(() => {
      const { scaled, scale } = scaledActivations(flatActivations(input, batch, features));
      return stack([scale, sum(square(centred(scaled)))]);
    });
    const [scale, variance] = (await checkTensor.data()) as Float32Array;
    checkTensor.dispose();
    if (!Number.isFinite(scale)) throw nonFiniteError(fn);
    if (variance === 0 && constantAsZeros) return { spectrum: new Float32Array(k), range };
    if (!((variance as number) > 0)) {
      throw new RangeError(
        `${fn}: activations have zero variance over the batch (every row is the same), so alpha is undefined; got total variance ${describe(variance)}`,
      );
    }
    const plan = { fn, batch, features, k, options: resolved };
    let spectrum: Float32Array;
    if (chooseMethod(resolved.method, k, resolved.oversampling, available) === 'exact') {
      spectrum = await exactSpectrumAsync(input, plan);
    } else {
      const spectrumTensor = normalizedSpectrum(input, plan);
      spectrum = (await spectrumTensor.data()) as Float32Array;
      spectrumTensor.dispose();
    }
    return { spectrum, range };
  } finally {
    owned?.dispose();
  }
}

/** How many leading values of a measured spectrum are above float32 rounding noise (nonzero). */
export function numericalRank(spectrum: Float32Array): number {
  let rank = 0;
  while (rank < spectrum.length && (spectrum[rank] as number) > 0) rank++;
  return rank;
}

/**
 * The eigenspectrum returns values below float32 rounding noise as 0; a fit
 * over them would report a plain alpha of rounding error.
 */
function assertResolved(fn: string, spectrum: Float32Array, [start, end]: [number, number]): void {
  const resolved = numericalRank(spectrum);
  if (resolved >= end) return;
  if (resolved === 0) {
    throw new RangeError(
      `${fn}: the activations vary over the batch only at float32 rounding level (every row is nearly the same), so alpha is undefined`,
    );
  }
  throw new RangeError(
    `${fn}: eigenvalues ${resolved + 1}-${end} of range ${describe([start, end])} are below float32 rounding noise ` +
      `(the activations have numerical rank ${resolved}), so alpha would be fitted to noise; fit a range ending at most at ${resolved}`,
  );
}

/**
 * A float32 tensor of rows given as float64 numbers, centred first, in
 * float64: the spectrum does not depend on the column means, and a large
 * common offset rounded to float32 would bury the variation under rounding
 * noise. Centred values beyond float32's range are an error naming one.
 */
function fromArray(fn: string, rows: number[][]): Tensor {
  const first = rows[0];
  const width = Array.isArray(first) ? first.length : 0;
  if (!rows.every((row) => Array.isArray(row) && row.length === width && row.every((v) => typeof v === 'number'))) {
    throw new TypeError(`${fn}: activations given as an array must be a rectangular number[][], got ${describe(rows)}`);
  }
  const means = new Float64Array(width);
  for (const row of rows) for (let j = 0; j < width; j++) means[j] = (means[j] as number) + (row[j] as number) / rows.length;
  const centred = new Float32Array(rows.length * width);
  for (const [i, row] of rows.entries()) {
    for (let j = 0; j < width; j++) {
      const value = (row[j] as number) - (means[j] as number);
      // NaN and Infinity pass on, to the spectrum's own check; a finite value must fit.
      if (Number.isFinite(value) && Math.abs(value) > FLOAT32_MAX) {
        throw new RangeError(`${fn}: activations[${i}][${j}] = ${row[j]} is beyond float32's range (about 3.4e38) after centring the columns`);
      }
      centred[i * width + j] = value;
    }
  }
  return tensor2d(centred, [rows.length, width], 'float32');
}

/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;
