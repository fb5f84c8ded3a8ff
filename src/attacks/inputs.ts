import type { Tensor } from '@tensorflow/tfjs-core';
import { assertTensor } from '../internal/validate';

const shapeOf = (t: Tensor) => `[${t.shape.join(', ')}]`;

/**
 * The checks of x and y shared by fgsm, pgd, robustAccuracy and
 * parallelAttack, before anything reads either: both live tensors, x with a
 * batch axis and at least one example, y with x's batch size (without this,
 * a short y was read past its end on wasm).
 */
export function checkAttackInputs(fn: string, x: unknown, y: unknown): { x: Tensor; y: Tensor; batch: number } {
  assertTensor(fn, 'x', x);
  assertTensor(fn, 'y', y);
  if (x.rank < 2) throw new RangeError(`${fn}: x must have a batch axis and at least one feature axis, got shape ${shapeOf(x)}`);
  const batch = x.shape[0] as number;
  if (batch === 0) throw new RangeError(`${fn}: x must hold at least one example, got an empty batch of shape ${shapeOf(x)}`);
  if (y.shape[0] !== batch) {
    throw new RangeError(`${fn}: x and y must have the same batch size (first axis), got x of shape ${shapeOf(x)} and y of shape ${shapeOf(y)}`);
  }
  return { x, y, batch };
}
