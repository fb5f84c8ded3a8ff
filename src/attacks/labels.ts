import { cast, oneHot, tidy, type Tensor, type Tensor2D } from '@tensorflow/tfjs-core';
import { syncReadsAreReliable } from '../internal/backendReads';
import { describe } from '../internal/validate';

/**
 * Checks labels against the class count and returns them one-hot (float32,
 * [N, C]); their batch size is checked before, by checkAttackInputs.
 * Accepts integer class indices [N] or one-hot rows [N, C].
 * The label values are checked only where a synchronous read is reliable
 * (not on webgpu); the conversion itself never reads back.
 */
export function oneHotLabels(fn: string, y: Tensor, classes: number): Tensor2D {
  if (y.rank === 2) {
    if (y.shape[1] !== classes) {
      throw new RangeError(`${fn}: one-hot y must have ${classes} columns (the model's classes), got ${y.shape[1]}`);
    }
    if (syncReadsAreReliable()) {
      const rows = y.arraySync() as number[][];
      rows.forEach((row, i) => {
        if (row.filter((v) => v === 1).length !== 1 || !row.every((v) => v === 0 || v === 1)) {
          throw new RangeError(`${fn}: one-hot y must have exactly one 1 per row and zeros elsewhere, got ${describe(row)} at row ${i}`);
        }
      });
    }
    return cast(y, 'float32') as Tensor2D;
  }
  if (y.rank !== 1) throw new RangeError(`${fn}: y must be class indices [N] or one-hot [N, C], got rank ${y.rank}`);
  if (syncReadsAreReliable()) {
    const values = y.dataSync();
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (!Number.isInteger(v) || v < 0 || v >= classes) {
        throw new RangeError(`${fn}: y must hold class indices in [0, ${classes}), got ${describe(v)} at index ${i}`);
      }
    }
  }
  return tidy(() => cast(oneHot(cast(y, 'int32'), classes), 'float32') as Tensor2D);
}
