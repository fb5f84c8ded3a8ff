import { assertKnownOptions, assertOptionsObject, describe } from '../internal/validate';
import { findRegularizers } from './findRegularizers';
import { layersWithPendingStats, rearmSkipWarnings, type SpectralRegularizer } from './SpectralRegularizer';

/**
 * One layer's measurements in one epoch: a point of the paper's Fig. 2d-e.
 * @example
 * ```ts
 * const monitor = spectralHistory();
 * await model.fit(x, y, { epochs: 5, callbacks: [monitor] });
 * const last: SpectralRecord | undefined = monitor.records.at(-1);
 * console.log(last?.alpha, last?.spectrum);
 * ```
 */
export interface SpectralRecord {
  epoch: number;
  /** The SpectralRegularizer layer's name. */
  layer: string;
  targetAlpha: number;
  /** Mean of the training batches' measured alpha over the epoch; NaN when no batch could be regularised. */
  alpha: number;
  /** Mean normalised leading spectrum over the epoch (range[1] values). */
  spectrum: Float32Array;
  /** Batches that contributed; `skipped` were too small for the range. */
  batches: number;
  skipped: number;
}

/**
 * Options of {@link spectralHistory}.
 * @example
 * ```ts
 * const monitor = spectralHistory({
 *   logSuffix: '_spectral_alpha',
 *   onEpoch: (records) => records.forEach((r) => console.log(r.epoch, r.layer, r.alpha.toFixed(2))),
 * });
 * ```
 */
export interface SpectralHistoryOptions {
  /**
   * Suffix of the log key each layer's alpha is written under: the key is
   * `${layer.name}${suffix}`, and `model.fit`'s History records it.
   * @default '_alpha'
   */
  logSuffix?: string;
  /**
   * Called after each epoch with that epoch's records, e.g. to print them.
   * @default undefined
   */
  onEpoch?: (records: SpectralRecord[]) => void;
}

/** What tfjs gives a callback: the model it trains (a LayersModel or container). */
type TrainedModel = { layers: Parameters<typeof findRegularizers>[0]['layers'] };

/**
 * A `model.fit` callback that records, for every {@link SpectralRegularizer}
 * in the model, the epoch's measured alpha and leading spectrum (computed
 * on the training batches by the regulariser itself, so it costs one small
 * read per layer per epoch). Alpha also goes into the epoch logs, so
 * `history.history['<layer name>_alpha']` holds it.
 *
 * It works beside any other callbacks, in any order: tfjs-layers takes a
 * `callbacks` array either as callback objects (when the first one is a
 * tfjs Callback) or as plain `{ onEpochEnd, ... }` configurations (when it
 * is not), and this callback is both. As a configuration it is not told the
 * model, and then reads the regulariser layers that measured batches since
 * the last epoch.
 *
 * @example
 * ```ts
 * const monitor = spectralHistory();
 * const history = await model.fit(x, y, { epochs: 10, callbacks: [{ onEpochEnd: (e) => console.log(e) }, monitor] });
 * history.history.spectral_alpha; // number[] per epoch, for a regulariser layer named 'spectral'
 * monitor.records; // [{ epoch, layer, alpha, spectrum, ... }, ...]
 * ```
 */
export class SpectralHistory {
  /** Every epoch's records, in order. */
  readonly records: SpectralRecord[] = [];
  /** Set by tfjs (the callback interface); unused. */
  validationData: unknown = null;
  /** Set by tfjs (the callback interface): epochs, batch size, ... */
  params: Record<string, unknown> = {};
  /**
   * The model being trained, when tfjs uses this object as a callback itself.
   * @internal
   */
  model: TrainedModel | null = null;
  /** Clears alpha warnings at the start of each fit. */
  readonly onTrainBegin: (logs?: unknown) => Promise<void>;
  /** Drops anything measured outside this epoch (an earlier fit, a manual step). */
  readonly onEpochBegin: (epoch: number, logs?: unknown) => Promise<void>;
  /** Records each layer's epoch and writes its alpha into the logs. */
  readonly onEpochEnd: (epoch: number, logs?: Record<string, unknown>) => Promise<void>;
  private readonly logSuffix: string;
  private readonly onEpoch: ((records: SpectralRecord[]) => void) | undefined;

  constructor(options?: SpectralHistoryOptions) {
    assertOptionsObject('spectralHistory', options);
    assertKnownOptions('spectralHistory', options, ['logSuffix', 'onEpoch']);
    const logSuffix = options?.logSuffix ?? '_alpha';
    if (typeof logSuffix !== 'string' || logSuffix.length === 0) {
      throw new TypeError(`spectralHistory: logSuffix must be a non-empty string, got ${describe(logSuffix)}`);
    }
    if (options?.onEpoch !== undefined && typeof options.onEpoch !== 'function') {
      throw new TypeError(`spectralHistory: onEpoch must be a function, got ${describe(options.onEpoch)}`);
    }
    this.logSuffix = logSuffix;
    this.onEpoch = options?.onEpoch;
    // Function expressions, not methods: tfjs may call them on a CustomCallback that wraps
    // this object as a plain configuration, and that wrapper, not this object, holds the model.
    const self = this;
    // tfjs passes the model to callback objects only: a wrapped configuration never learns
    // it, and then the layers that measured something since the last epoch are the model's.
    const regularizersOf = (context: unknown) => {
      const model = (context as { model?: TrainedModel } | undefined)?.model ?? self.model;
      return model ? findRegularizers(model) : layersWithPendingStats();
    };
    this.onTrainBegin = async () => {
      // One skipped-batch warning per layer per fit.
      rearmSkipWarnings();
    };
    this.onEpochBegin = async function (this: unknown) {
      await Promise.all(regularizersOf(this).map((layer) => layer.takeEpochStats()));
    };
    this.onEpochEnd = async function (this: unknown, epoch: number, logs?: Record<string, unknown>) {
      await self.recordEpoch(regularizersOf(this), epoch, logs);
    };
  }

  /** The records of one layer, by name, in epoch order. */
  forLayer(name: string): SpectralRecord[] {
    return this.records.filter((r) => r.layer === name);
  }

  /** Part of the tfjs callback interface. */
  setParams(params: Record<string, unknown>): void {
    this.params = params;
  }

  /**
   * Part of the tfjs callback interface: tfjs hands over the model it trains.
   * @internal
   */
  setModel(model: TrainedModel): void {
    this.model = model;
  }

  /** Part of the tfjs callback interface; nothing to do per batch. */
  async onBatchBegin(): Promise<void> {}

  /** Part of the tfjs callback interface; nothing to do per batch. */
  async onBatchEnd(): Promise<void> {}

  /** Part of the tfjs callback interface; nothing to do at the end. */
  async onTrainEnd(): Promise<void> {}

  private async recordEpoch(layers: SpectralRegularizer[], epoch: number, logs?: Record<string, unknown>): Promise<void> {
    const epochRecords: SpectralRecord[] = [];
    for (const layer of layers) {
      const stats = await layer.takeEpochStats();
      if (stats === null) continue;
      const record = { epoch, layer: layer.name, targetAlpha: layer.targetAlpha, ...stats };
      epochRecords.push(record);
      if (logs) logs[`${layer.name}${this.logSuffix}`] = stats.alpha;
    }
    this.records.push(...epochRecords);
    this.onEpoch?.(epochRecords);
  }
}

/**
 * Creates a {@link SpectralHistory} callback.
 *
 * @example
 * ```ts
 * await model.fit(x, y, { epochs: 5, callbacks: [spectralHistory({ onEpoch: (r) => console.log(r) })] });
 * ```
 */
export function spectralHistory(options?: SpectralHistoryOptions): SpectralHistory {
  return new SpectralHistory(options);
}
