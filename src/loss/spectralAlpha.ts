import { tidy, type Scalar, type Tensor } from '@tensorflow/tfjs-core';
import { assertKnownOptions, checkActivations, checkFitRange } from '../internal/validate';
import { DEFAULT_RANGE } from '../spectrum/fitPowerLaw';
import { resolveSpectrumOptions, SPECTRUM_OPTION_KEYS, type SpectrumOptions } from '../spectrum/options';
import { normalizedSpectrum } from '../spectrum/spectrumCore';
import { measuredAlpha } from './powerLawTerms';

/**
 * Options of {@link spectralAlpha}.
 * @example
 * ```ts
 * const alpha = spectralAlpha(hidden, { range: [0, 20], method: 'subspace' }); // a differentiable Scalar
 * ```
 */
export interface SpectralAlphaOptions extends SpectrumOptions {
  /**
   * Half-open, 0-based slice [start, end) of the descending spectrum that the
   * power law is fitted to. [0, 10] is ranks 1..10, as in the paper's code.
   * @default [0, 10]
   */
  range?: readonly [number, number];
}

/**
 * The measured power-law exponent alpha of a batch of activations as a
 * differentiable scalar, for custom objectives. Same fit as
 * {@link fitPowerLaw} (paper Eq. 4-5) on the normalised spectrum with
 * eigenvalues floored at relu(lambda) + 1e-8. NaN (with zero gradient) when
 * an eigenvalue in `range` is below float32 rounding noise: alpha would be
 * fitted to noise. `range` must end at most at min(batch - 1, features),
 * the rank of the centred activations.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { spectralAlpha } from 'spectral-reg';
 *
 * // Push alpha up, whatever its value, in a custom training loop.
 * const grads = tf.grads((h: tf.Tensor) => tf.neg(spectralAlpha(h, { range: [0, 10] })));
 * const [dh] = grads([tf.randomNormal([128, 64])]);
 * ```
 */
export function spectralAlpha(activations: Tensor, options?: SpectralAlphaOptions): Scalar {
  const fn = 'spectralAlpha';
  const plan = planRangeSpectrum(fn, activations, options, SPECTRAL_ALPHA_KEYS);
  return tidy(() => measuredAlpha(normalizedSpectrum(activations, plan), plan.range));
}

/** Every key of {@link SpectralAlphaOptions}. */
export const SPECTRAL_ALPHA_KEYS: readonly string[] = [...SPECTRUM_OPTION_KEYS, 'range'];

/**
 * Validates activations, spectrum options and a range against them, and
 * returns the spectrum plan for k = range end. Shared with spectralLoss.
 */
export function planRangeSpectrum(fn: string, activations: Tensor, options: SpectralAlphaOptions | undefined, keys: readonly string[]) {
  const { batch, features } = checkActivations(fn, activations);
  assertKnownOptions(fn, options, keys);
  const resolved = resolveSpectrumOptions(fn, options);
  const range = checkFitRange(fn, options?.range ?? DEFAULT_RANGE, batch, features);
  return { fn, batch, features, k: range[1], options: resolved, range };
}
