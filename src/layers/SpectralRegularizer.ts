import {
  add,
  clone,
  keep,
  scalar,
  serialization,
  tidy,
  type Scalar,
  type Tensor,
  type Tensor1D,
} from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { assertKnownOptions, assertOptionsObject, checkRange, describe, optionKeys } from '../internal/validate';
import { measuredAlpha } from '../loss/powerLawTerms';
import { checkTargetForRange, penaltyOfSpectrum, resolveLossOptions, type SpectralLossMode } from '../loss/spectralLoss';
import { DEFAULT_RANGE } from '../spectrum/fitPowerLaw';
import { resolveSpectrumOptions, type EigenMethod, type ResolvedSpectrumOptions, type RitzSolve } from '../spectrum/options';
import { normalizedSpectrum } from '../spectrum/spectrumCore';
import { SubspaceState } from '../spectrum/SubspaceState';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;

/**
 * Arguments of {@link SpectralRegularizer}: the options of
 * {@link spectralLoss} (without `state`, which the layer owns) plus the usual
 * tfjs-layers arguments (`name`, `inputShape`, ...).
 * @example
 * ```ts
 * const args: SpectralRegularizerArgs = { targetAlpha: 3, strength: 1, range: [0, 10], name: 'spectral' };
 * model.add(spectralRegularizer(args));
 * ```
 */
export interface SpectralRegularizerArgs extends LayerArgs {
  /** The exponent alpha the spectrum is pulled towards. Required. */
  targetAlpha: number;
  /** Regularisation strength beta. @default 1 */
  strength?: number;
  /** Half-open 0-based slice [start, end) of the spectrum. @default [0, 10] */
  range?: readonly [number, number];
  /** `'slope'`, `'fixed-slope'` or `'nassar'`; see spectralLoss. @default 'slope' */
  mode?: SpectralLossMode;
  /** Eigenspectrum method. @default 'auto' */
  method?: EigenMethod;
  /** Most subspace iterations per training step (warm-started). @default 1 */
  iterations?: number;
  /** Most subspace iterations on the first step. @default 30 */
  coldStartIterations?: number;
  /** Subspace stopping tolerance. @default 1e-4 */
  tolerance?: number;
  /** Extra subspace vectors beyond range[1]. @default 10 */
  oversampling?: number;
  /** Where the subspace method's small solves run: `'host'`, `'device'` or `'auto'` (device on webgpu); see SpectrumOptions. @default 'auto' */
  ritzSolve?: RitzSolve;
  /** Seed of the first random subspace basis. @default 0 */
  seed?: number;
}

/**
 * The training-time measurements of one regulariser layer over one epoch.
 * @example
 * ```ts
 * const layer = model.getLayer('spectral') as SpectralRegularizer;
 * const stats: SpectralEpochStats | null = await layer.takeEpochStats(); // null when no batch was regularised
 * ```
 */
export interface SpectralEpochStats {
  /**
   * Mean over the epoch's regularised batches of the batch's measured alpha;
   * NaN when no batch was regularised, or when a batch's fitted range
   * reached eigenvalues below float32 rounding noise.
   */
  alpha: number;
  /** Mean normalised leading spectrum (range[1] values) over those batches; empty when there were none. */
  spectrum: Float32Array;
  /** Batches that contributed. */
  batches: number;
  /** Batches skipped because they had at most range[1] rows (centred, such a batch has rank < range[1]). */
  skipped: number;
}

const NAME = 'SpectralRegularizer';

/**
 * Layers holding measurements not yet taken, in the order they first
 * measured: spectralHistory reads these when tfjs does not tell it the model
 * (it wraps plain-object callbacks without passing the model on).
 */
const pendingLayers = new Set<SpectralRegularizer>();

/** The layers with measurements not yet taken by {@link SpectralRegularizer.takeEpochStats}. */
export function layersWithPendingStats(): SpectralRegularizer[] {
  return [...pendingLayers];
}

/** Counts fits (spectralHistory's onTrainBegin), so each layer warns about skipped batches once per fit. */
let fitGeneration = 0;

/** Lets every layer give its skipped-batch warning again; called at the start of a fit. */
export function rearmSkipWarnings(): void {
  fitGeneration++;
}

/** The layer's own arguments and tfjs-layers' base layer arguments. */
const ARG_KEYS = optionKeys<SpectralRegularizerArgs>({
  targetAlpha: true,
  strength: true,
  range: true,
  mode: true,
  method: true,
  iterations: true,
  coldStartIterations: true,
  tolerance: true,
  oversampling: true,
  ritzSolve: true,
  seed: true,
  inputShape: true,
  batchInputShape: true,
  batchSize: true,
  dtype: true,
  name: true,
  trainable: true,
  weights: true,
  inputDType: true,
});

/**
 * A pass-through layer that adds the spectral regulariser's loss on its
 * input to the training objective: place it after any hidden layer (Dense,
 * Conv2D, Flatten, ...), call `model.fit`, and the eigenspectrum of that
 * layer's activations is pulled towards 1/n^targetAlpha.
 *
 * - The output equals the input; inference (`predict`, `evaluate`) pays nothing.
 * - The loss enters `model.fit`, `trainOnBatch` and `fitDataset`, in training
 *   mode only, through the layer's `losses`. In a custom training loop, add
 *   `model.calculateLosses()` to your loss after a `model.apply(x, { training: true })`.
 * - A batch of at most `range[1]` rows contributes no spectral loss: centred,
 *   it has rank below `range[1]`, so the fitted range would reach zero
 *   eigenvalues. Such batches are counted in `skipped`, and the first one
 *   of a fit (of the layer's life, without {@link spectralHistory}) is
 *   reported once with console.warn.
 * - The layer keeps a warm-start {@link SubspaceState}; `dispose()` frees it.
 * - Per-epoch alpha and spectrum are collected by the {@link spectralHistory} callback.
 *
 * Serializable: registered with tfjs, so models holding it save and load.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { spectralRegularizer, spectralHistory } from 'spectral-reg';
 *
 * const model = tf.sequential({ layers: [
 *   tf.layers.dense({ inputShape: [784], units: 2000, activation: 'tanh' }),
 *   spectralRegularizer({ targetAlpha: 3, strength: 1, name: 'spectral' }),
 *   tf.layers.dense({ units: 10, activation: 'softmax' }),
 * ] });
 * model.compile({ optimizer: tf.train.adam(1e-4), loss: 'categoricalCrossentropy' });
 * const history = await model.fit(x, y, { epochs: 5, batchSize: 1500, callbacks: [spectralHistory()] });
 * console.log(history.history.spectral_alpha); // '<layer name>_alpha'
 * ```
 */
export class SpectralRegularizer extends layers.Layer {
  /** The class name tfjs serialization registers it under. */
  static className = NAME;

  readonly targetAlpha: number;
  readonly strength: number;
  readonly range: readonly [number, number];
  readonly mode: SpectralLossMode;
  private readonly spectrumOptions: ResolvedSpectrumOptions;
  private readonly state = new SubspaceState();
  /** The input of this step's training-mode forward pass, consumed by the loss. */
  private pending: Tensor | null = null;
  private alphaSum: Scalar | null = null;
  private spectrumSum: Tensor1D | null = null;
  private batches = 0;
  private skipped = 0;
  /** The fit generation in which the skipped-batch warning was last given. */
  private warnedInGeneration = -1;

  constructor(args: SpectralRegularizerArgs) {
    if (args === undefined) throw new TypeError(`${NAME}: args with a targetAlpha are required, got undefined`);
    assertOptionsObject(NAME, args);
    // tfjs's deserialisation adds customObjects to a saved layer's config.
    assertKnownOptions(NAME, args, [...ARG_KEYS, 'customObjects']);
    super(args);
    const loss = resolveLossOptions(NAME, args);
    this.targetAlpha = loss.targetAlpha;
    this.strength = loss.strength;
    this.mode = loss.mode;
    this.range = checkRange(NAME, args.range ?? DEFAULT_RANGE, Number.POSITIVE_INFINITY);
    checkTargetForRange(NAME, this.targetAlpha, this.range);
    // The spectrum options are read from args by name; the layer supplies its own warm-start state.
    this.spectrumOptions = resolveSpectrumOptions(NAME, { ...args, state: this.state });
    this.supportsMasking = true;
    // One loss closure for the layer's lifetime; it reads the activation kept by call().
    this.addLoss(() => this.takeLoss());
  }

  override build(inputShape: (number | null)[] | (number | null)[][]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const featureDims = shape.slice(1);
    if (featureDims.every((d): d is number => typeof d === 'number')) {
      const features = featureDims.reduce((a, b) => a * b, 1);
      if (this.range[1] > features) {
        throw new RangeError(
          `${NAME}: range end must be <= ${features}, the number of features of its input (shape [${shape.map(String).join(', ')}]), got ${describe(this.range)}`,
        );
      }
    }
    super.build(inputShape);
  }

  override computeOutputShape(inputShape: (number | null)[] | (number | null)[][]): (number | null)[] | (number | null)[][] {
    return inputShape;
  }

  override call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor {
    return tidy(() => {
      const input = Array.isArray(inputs) ? (inputs[0] as Tensor) : inputs;
      if (kwargs?.training === true) {
        // Kept past the caller's tidy (Container.call disposes intermediates) until the loss
        // closure consumes it; clone is on the tape, so the gradient reaches the layers below.
        this.pending?.dispose();
        this.pending = keep(clone(input));
      }
      // A new tensor object (sharing the data): tfjs's executor may dispose the input after this layer runs.
      return clone(input);
    });
  }

  /** The spectral loss on the pending activation, or 0 when there is none. */
  private takeLoss(): Scalar {
    const activation = this.pending;
    this.pending = null;
    if (activation === null) return scalar(0);
    try {
      const batch = activation.shape[0] as number;
      const features = activation.size / batch;
      if (Math.min(batch - 1, features) < this.range[1]) {
        this.skipped++;
        pendingLayers.add(this);
        this.warnSkip(batch);
        return scalar(0);
      }
      const spectrum = normalizedSpectrum(activation, { fn: NAME, batch, features, k: this.range[1], options: this.spectrumOptions });
      this.record(spectrum);
      return penaltyOfSpectrum(spectrum, this);
    } finally {
      // Backprop needs only what the ops saved, not the activation itself.
      activation.dispose();
    }
  }

  private warnSkip(batch: number): void {
    if (this.warnedInGeneration === fitGeneration) return;
    this.warnedInGeneration = fitGeneration;
    console.warn(
      `${NAME} '${this.name}': a training batch of ${batch} rows got no spectral loss: range [${this.range[0]}, ${this.range[1]}] needs batches of more than ${this.range[1]} rows. ` +
        'Batches this small are skipped (counted in spectralHistory records as `skipped`); use a larger batchSize or a shorter range.',
    );
  }

  /** Accumulates this batch's alpha and spectrum on the device: no sync per batch. */
  private record(spectrum: Tensor1D): void {
    const alpha = measuredAlpha(spectrum, this.range);
    const previousAlpha = this.alphaSum;
    const previousSpectrum = this.spectrumSum;
    this.alphaSum = keep((previousAlpha ? add(previousAlpha, alpha) : clone(alpha)) as Scalar);
    this.spectrumSum = keep((previousSpectrum ? add(previousSpectrum, spectrum) : clone(spectrum)) as Tensor1D);
    previousAlpha?.dispose();
    previousSpectrum?.dispose();
    this.batches++;
    pendingLayers.add(this);
  }

  /**
   * Reads and resets what the layer measured on training batches since the
   * last call: the mean alpha and spectrum, or null when no training batch
   * reached the layer at all (a batch that was skipped still counts, with
   * alpha NaN). Used by {@link spectralHistory}.
   */
  async takeEpochStats(): Promise<SpectralEpochStats | null> {
    const { alphaSum, spectrumSum, batches, skipped } = this;
    this.alphaSum = null;
    this.spectrumSum = null;
    this.batches = 0;
    this.skipped = 0;
    pendingLayers.delete(this);
    if (alphaSum === null || spectrumSum === null) {
      return skipped === 0 ? null : { alpha: Number.NaN, spectrum: new Float32Array(0), batches: 0, skipped };
    }
    const [alphaTotal, spectrumTotal] = await Promise.all([alphaSum.data(), spectrumSum.data()]);
    alphaSum.dispose();
    spectrumSum.dispose();
    return {
      alpha: (alphaTotal[0] as number) / batches,
      spectrum: Float32Array.from(spectrumTotal, (v) => v / batches),
      batches,
      skipped,
    };
  }

  override getConfig(): serialization.ConfigDict {
    // Every resolved spectrum option except the state, which is runtime memory, not configuration.
    const { state: _state, ...spectrum } = this.spectrumOptions;
    const config: serialization.ConfigDict = {
      targetAlpha: this.targetAlpha,
      strength: this.strength,
      range: [this.range[0], this.range[1]],
      mode: this.mode,
      ...spectrum,
    };
    return { ...super.getConfig(), ...config };
  }

  override dispose(): ReturnType<layers.Layer['dispose']> {
    const result = super.dispose();
    if (result.refCountAfterDispose === 0) {
      pendingLayers.delete(this);
      this.state.dispose();
      this.alphaSum?.dispose();
      this.spectrumSum?.dispose();
      this.alphaSum = null;
      this.spectrumSum = null;
      this.pending?.dispose();
      this.pending = null;
    }
    return result;
  }
}

serialization.registerClass(SpectralRegularizer);

/**
 * Creates a {@link SpectralRegularizer} layer, in the style of
 * `tf.layers.dense(...)`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { spectralRegularizer } from 'spectral-reg';
 *
 * const model = tf.sequential();
 * model.add(tf.layers.dense({ inputShape: [784], units: 2000, activation: 'tanh' }));
 * model.add(spectralRegularizer({ targetAlpha: 2, strength: 0.1, mode: 'fixed-slope' }));
 * model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
 * ```
 */
export function spectralRegularizer(args: SpectralRegularizerArgs): SpectralRegularizer {
  return new SpectralRegularizer(args);
}
