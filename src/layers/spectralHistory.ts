import { Callback } from '@tensorflow/tfjs-layers';
import { assertKnownOptions, assertOptionsObject, describe } from '../internal/validate';
import { findRegularizers } from './findRegularizers';

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

/**
 * A `model.fit` callback that records, for every {@link SpectralRegularizer}
 * in the model, the epoch's measured alpha and leading spectrum (computed
 * on the training batches by the regulariser itself, so it costs one small
 * read per layer per epoch). Alpha also goes into the epoch logs, so
 * `history.history['<layer name>_alpha']` holds it.
 *
 * @example
 * ```ts
 * const monitor = spectralHistory();
 * const history = await model.fit(x, y, { epochs: 10, callbacks: [monitor] });
 * history.history['spectral_regularizer_1_alpha']; // number[] per epoch
 * monitor.records; // [{ epoch, layer, alpha, spectrum, ... }, ...]
 * ```
 */
export class SpectralHistory extends Callback {
  /** Every epoch's records, in order. */
  readonly records: SpectralRecord[] = [];
  private readonly logSuffix: string;
  private readonly onEpoch: ((records: SpectralRecord[]) => void) | undefined;

  constructor(options?: SpectralHistoryOptions) {
    super();
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
  }

  /** The records of one layer, by name, in epoch order. */
  forLayer(name: string): SpectralRecord[] {
    return this.records.filter((r) => r.layer === name);
  }

  override async onTrainBegin(): Promise<void> {
    // One skipped-batch warning per layer per fit.
    for (const layer of findRegularizers(this.model)) layer.rearmWarnings();
  }

  override async onEpochBegin(): Promise<void> {
    // Drop anything measured outside this epoch (an earlier fit, a manual step).
    await Promise.all(findRegularizers(this.model).map((layer) => layer.takeEpochStats()));
  }

  override async onEpochEnd(epoch: number, logs?: Record<string, unknown>): Promise<void> {
    const epochRecords: SpectralRecord[] = [];
    for (const layer of findRegularizers(this.model)) {
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
