import type { Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import { assertIntegerIn, assertKnownOptions, checkActivations } from '../internal/validate';
import { resolveSpectrumOptions, SPECTRUM_OPTION_KEYS, type SpectrumOptions } from './options';
import { normalizedSpectrum } from './spectrumCore';

/**
 * Options of {@link eigenspectrum}.
 * @example
 * ```ts
 * const options: EigenspectrumOptions = { k: 20, method: 'subspace', oversampling: 16 };
 * const spectrum = eigenspectrum(hidden, options); // 20 values, descending
 * ```
 */
export interface EigenspectrumOptions extends SpectrumOptions {
  /**
   * How many leading eigenvalues to return, or `'all'` for all min(N, f).
   * @default 10 (or min(N, f) when that is smaller)
   */
  k?: number | 'all';
}

const DEFAULT_K = 10;

/**
 * The leading eigenvalues of the covariance of a batch of activations,
 * descending and divided by their total (the trace).
 *
 * `activations` has shape [batch, ...features]; it is flattened over the
 * non-batch axes and centred over the batch. The result is differentiable
 * with respect to the activations: the gradient flows through the
 * eigenvalues with the eigenvectors held fixed (d lambda_i / d A = 2 A v_i v_i^T).
 *
 * Eigenvalues past the rank of the centred data (at most batch - 1) are 0,
 * and so is every eigenvalue below float32 rounding noise (about
 * 4 sqrt(max(batch, features)) 2^-24 of the largest, or what centring nearly
 * equal rows leaves): such values carry no gradient. Any activation scale
 * that float32 holds gives the same spectrum. Activations holding NaN or
 * Infinity throw a RangeError, or give NaN values where nothing is read back
 * (`ritzSolve: 'device'`).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { eigenspectrum } from 'spectral-reg';
 *
 * const hidden = tf.randomNormal([256, 100]);
 * const spectrum = eigenspectrum(hidden, { k: 20 }); // Tensor1D of 20 values, summing to <= 1
 * spectrum.print();
 * ```
 */
export function eigenspectrum(activations: Tensor, options?: EigenspectrumOptions): Tensor1D {
  const fn = 'eigenspectrum';
  const { batch, features } = checkActivations(fn, activations);
  assertKnownOptions(fn, options, [...SPECTRUM_OPTION_KEYS, 'k']);
  const resolved = resolveSpectrumOptions(fn, options);
  const available = Math.min(batch, features);
  const requested = options?.k;
  let k: number;
  if (requested === 'all') k = available;
  else if (requested === undefined) k = Math.min(DEFAULT_K, available);
  else {
    assertIntegerIn(fn, 'k', requested, 1, available);
    k = requested;
  }
  return normalizedSpectrum(activations, { fn, batch, features, k, options: resolved });
}
