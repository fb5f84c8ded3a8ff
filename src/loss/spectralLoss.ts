import { mul, scalar, tidy, type Scalar, type Tensor, type Tensor1D } from '@tensorflow/tfjs-core';
import { assertFiniteAtLeast, assertKnownOptions, assertOneOf, assertOptionsObject, checkActivations } from '../internal/validate';
import { normalizedSpectrum } from '../spectrum/spectrumCore';
import { fixedSlopeTerm, nassarTerm, slopeTerm } from './powerLawTerms';
import { planRangeSpectrum, SPECTRAL_ALPHA_KEYS, type SpectralAlphaOptions } from './spectralAlpha';

/**
 * Which penalty pulls the spectrum towards 1/n^targetAlpha.
 * @example
 * ```ts
 * const mode: SpectralLossMode = 'nassar';
 * const loss = spectralLoss(hidden, { targetAlpha: 1, mode });
 * ```
 */
export type SpectralLossMode = 'slope' | 'fixed-slope' | 'nassar';

export const SPECTRAL_LOSS_MODES: readonly SpectralLossMode[] = ['slope', 'fixed-slope', 'nassar'];

/**
 * Options of {@link spectralLoss}.
 * @example
 * ```ts
 * const options: SpectralLossOptions = { targetAlpha: 2, strength: 0.1, mode: 'fixed-slope', range: [0, 10] };
 * const loss = spectralLoss(hidden, options);
 * ```
 */
export interface SpectralLossOptions extends SpectralAlphaOptions {
  /** The exponent alpha the spectrum is pulled towards (the brain's is about 1). Required. */
  targetAlpha: number;
  /**
   * The regularisation strength beta multiplying the penalty.
   * @default 1
   */
  strength?: number;
  /**
   * `'slope'`: beta * |alpha - targetAlpha|, alpha from the least-squares fit
   * over `range` (paper Eq. 6). `'fixed-slope'`: the paper authors' code, a
   * weighted mean squared residual in log10 space against a line of slope
   * -targetAlpha with a fitted offset. `'nassar'`: Nassar et al. (2020),
   * relative deviations from a power law anchored at index range[0].
   * @default 'slope'
   */
  mode?: SpectralLossMode;
}

/** Every key of {@link SpectralLossOptions}. */
export const SPECTRAL_LOSS_KEYS: readonly string[] = [...SPECTRAL_ALPHA_KEYS, 'targetAlpha', 'strength', 'mode'];

/**
 * The spectral regulariser's loss on a batch of hidden activations: a
 * differentiable scalar that is small when the eigenspectrum of their
 * covariance decays as 1/n^targetAlpha over `range`.
 *
 * Add it to the task loss in a custom training loop, or use the
 * SpectralRegularizer layer with `model.fit`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { spectralLoss, SubspaceState } from 'spectral-reg';
 *
 * const state = new SubspaceState(); // warm start across steps
 * const optimizer = tf.train.adam(1e-4);
 * optimizer.minimize(() => {
 *   const hidden = dense1.apply(x) as tf.Tensor;
 *   const task = tf.losses.softmaxCrossEntropy(y, dense2.apply(hidden) as tf.Tensor);
 *   return tf.add(task, spectralLoss(hidden, { targetAlpha: 3, strength: 1, state })) as tf.Scalar;
 * });
 * ```
 */
export function spectralLoss(activations: Tensor, options: SpectralLossOptions): Scalar {
  const fn = 'spectralLoss';
  checkActivations(fn, activations);
  assertKnownOptions(fn, options, SPECTRAL_LOSS_KEYS);
  const { targetAlpha, strength, mode } = resolveLossOptions(fn, options);
  const plan = planRangeSpectrum(fn, activations, options, SPECTRAL_LOSS_KEYS);
  checkTargetForRange(fn, targetAlpha, plan.range);
  return tidy(() => penaltyOfSpectrum(normalizedSpectrum(activations, plan), { targetAlpha, strength, mode, range: plan.range }));
}

/** strength * the mode's penalty, on an already computed normalised spectrum. */
export function penaltyOfSpectrum(
  spectrum: Tensor1D,
  { targetAlpha, strength, mode, range }: { targetAlpha: number; strength: number; mode: SpectralLossMode; range: readonly [number, number] },
): Scalar {
  let penalty: Scalar;
  // Every term fits only the ranks above float32 noise and keeps NaN visible (powerLawTerms).
  if (mode === 'slope') penalty = slopeTerm(spectrum, range, targetAlpha);
  else if (mode === 'fixed-slope') penalty = fixedSlopeTerm(spectrum, range, targetAlpha);
  else penalty = nassarTerm(spectrum, range, targetAlpha);
  return mul(penalty, scalar(strength)) as Scalar;
}

/** The one place where the loss-specific defaults are applied and checked. */
export function resolveLossOptions(
  fn: string,
  options: SpectralLossOptions | undefined,
): { targetAlpha: number; strength: number; mode: SpectralLossMode } {
  if (options === undefined) throw new TypeError(`${fn}: options with a targetAlpha are required, got undefined`);
  assertOptionsObject(fn, options);
  const targetAlpha = options.targetAlpha;
  const strength = options.strength ?? 1;
  const mode = options.mode ?? 'slope';
  assertFiniteAtLeast(fn, 'targetAlpha', targetAlpha, 0);
  assertFiniteAtLeast(fn, 'strength', strength, 0);
  // Past this the loss (strength times a penalty of up to ~1e24) leaves float32.
  if (strength > MAX_STRENGTH) throw new RangeError(`${fn}: strength must be <= ${MAX_STRENGTH}, got ${strength}`);
  assertOneOf(fn, 'mode', mode, SPECTRAL_LOSS_MODES);
  return { targetAlpha, strength, mode };
}

const MAX_STRENGTH = 1e6;
/** The steepest target power law over a range: a fall of 1e-10 from first to last rank (nassar squares it, times MAX_STRENGTH). */
const MAX_TARGET_DECADES = 10;

/**
 * A target whose power law falls by more than 1e-10 over `range` asks for
 * eigenvalue ratios that float32 cannot hold (the nassar ratios overflow);
 * such a target is refused, naming the largest one the range allows.
 */
export function checkTargetForRange(fn: string, targetAlpha: number, [start, end]: readonly [number, number]): void {
  const decadesPerAlpha = Math.log10(end / (start + 1));
  const largest = Math.floor((100 * MAX_TARGET_DECADES) / decadesPerAlpha) / 100;
  if (targetAlpha > largest) {
    throw new RangeError(
      `${fn}: targetAlpha must be <= ${largest} for range [${start}, ${end}] (a power law falling by at most 1e-${MAX_TARGET_DECADES} over it), got ${targetAlpha}`,
    );
  }
}
