import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { fgsm, pgd, robustAccuracy } from '../../src/index';
import { pinErrors } from '../helpers/oracles';

const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, activation: 'softmax', inputShape: [4] })] });
const x = () => tf.fill([5, 4], 0.5);
const y = () => tf.tensor1d([0, 1, 2, 0, 1], 'int32');
const logits = (input: tf.Tensor) => tf.matMul(input as tf.Tensor2D, tf.ones([4, 3]));
const disposed = (t: tf.Tensor) => {
  t.dispose();
  return t;
};
const input = tfl.input({ shape: [4] });
const twoOutputs = tfl.model({
  inputs: input,
  outputs: [tfl.layers.dense({ units: 3 }).apply(input) as tfl.SymbolicTensor, tfl.layers.dense({ units: 2 }).apply(input) as tfl.SymbolicTensor],
});
const twoOutputsMessage = (fn: string) =>
  `${fn}: model must have a single output (class scores [N, C]), got a LayersModel with 2 outputs; build one with only the classification output, e.g. tf.model({ inputs: model.inputs, outputs: model.outputs[0] })`;

/** Expects the promise to reject with exactly this error class and message. */
async function rejectsWith(promise: Promise<unknown>, type: ErrorConstructor, message: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  expect((error as Error).message).toBe(message);
}

describe('attack errors (pinned word for word)', () => {
  const cases: Array<[string, () => unknown, ErrorConstructor, string]> = [
    ['negative epsilon', () => fgsm(model, x(), y(), { epsilon: -0.1 }), RangeError, 'fgsm: epsilon must be a finite number >= 0, got -0.1'],
    ['NaN epsilon', () => pgd(model, x(), y(), { epsilon: Number.NaN }), RangeError, 'pgd: epsilon must be a finite number >= 0, got NaN'],
    ['missing epsilon', () => fgsm(model, x(), y(), {} as never), TypeError, 'fgsm: epsilon must be a finite number >= 0, got undefined'],
    ['missing options', () => fgsm(model, x(), y(), undefined as never), TypeError, 'fgsm: options with an epsilon are required, got undefined'],
    ['batch mismatch', () => fgsm(model, x(), tf.tensor1d([0, 1], 'int32'), { epsilon: 0.1 }), RangeError, 'fgsm: x and y must have the same batch size (first axis), got x of shape [5, 4] and y of shape [2]'],
    ['batch mismatch, one-hot y', () => pgd(model, x(), tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3), { epsilon: 0.1 }), RangeError, 'pgd: x and y must have the same batch size (first axis), got x of shape [5, 4] and y of shape [6, 3]'],
    ['scalar y', () => pgd(model, x(), tf.scalar(1, 'int32'), { epsilon: 0.1 }), RangeError, 'pgd: x and y must have the same batch size (first axis), got x of shape [5, 4] and y of shape []'],
    ['empty batch (fgsm)', () => fgsm(model, tf.zeros([0, 4]), tf.zeros([0], 'int32'), { epsilon: 0.1 }), RangeError, 'fgsm: x must hold at least one example, got an empty batch of shape [0, 4]'],
    ['empty batch (pgd, function model)', () => pgd(logits, tf.zeros([0, 4]), tf.zeros([0], 'int32'), { epsilon: 0.1 }), RangeError, 'pgd: x must hold at least one example, got an empty batch of shape [0, 4]'],
    ['disposed x', () => fgsm(model, disposed(x()), y(), { epsilon: 0.1 }), TypeError, 'fgsm: x is a disposed tensor (shape [5, 4]); it was freed by dispose() or tidy() before this call'],
    ['disposed y', () => pgd(model, x(), disposed(y()), { epsilon: 0.1 }), TypeError, 'pgd: y is a disposed tensor (shape [5]); it was freed by dispose() or tidy() before this call'],
    ['model with two outputs', () => fgsm(twoOutputs, x(), y(), { epsilon: 0.1 }), TypeError, twoOutputsMessage('fgsm')],
    ['model function returning an array', () => pgd((input) => [logits(input), logits(input)] as never, x(), y(), { epsilon: 0.1 }), TypeError, 'pgd: model must return a single tensor of class scores [N, C], got an array of length 2'],
    ['model function returning one score per example', () => pgd((input) => tf.sum(input, 1), x(), y(), { epsilon: 0.1 }), TypeError, 'pgd: model must return class scores [N, C] with C >= 2, got one score per example (a tensor of rank 1)'],
    ['model function returning [N, 1]', () => fgsm((input) => tf.sum(input, 1, true), x(), y(), { epsilon: 0.1 }), TypeError, 'fgsm: model must return class scores [N, C] with C >= 2, got one score per example (a tensor of rank 2)'],
    [
      'model with one sigmoid unit',
      () => fgsm(tfl.sequential({ layers: [tfl.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [4] })] }), x(), tf.zeros([5], 'int32'), { epsilon: 0.1 }),
      TypeError,
      'fgsm: model must output class scores [N, C] with C >= 2, got an output of width 1; for a binary classifier with one sigmoid unit, output two scores instead (e.g. a Dense layer of 2 units with softmax)',
    ],
    [
      'model with two inputs',
      () => {
        const a = tfl.input({ shape: [4] });
        const b = tfl.input({ shape: [4] });
        const out = tfl.layers.dense({ units: 3, activation: 'softmax' }).apply(tfl.layers.concatenate().apply([a, b])) as tfl.SymbolicTensor;
        return fgsm(tfl.model({ inputs: [a, b], outputs: out }), x(), y(), { epsilon: 0.1 });
      },
      TypeError,
      'fgsm: model must have a single input (the x that is attacked), got a LayersModel with 2 inputs',
    ],
    [
      'model with an output wider than [N, C]',
      () => fgsm(tfl.sequential({ layers: [tfl.layers.dense({ units: 6, inputShape: [4] }), tfl.layers.reshape({ targetShape: [2, 3] })] }), x(), y(), { epsilon: 0.1 }),
      TypeError,
      'fgsm: model must output class scores [N, C], got an output of shape [N, 2, 3]',
    ],
    ['model function returning [N, 2, 3]', () => pgd((input) => tf.reshape(tf.slice(tf.tile(input, [1, 2]), [0, 0], [-1, 6]), [-1, 2, 3]), x(), y(), { epsilon: 0.1 }), TypeError, 'pgd: model must return class scores [N, C], got a tensor of shape [N, 2, 3]'],
    ['model function returning nothing', () => fgsm((() => undefined) as never, x(), y(), { epsilon: 0.1 }), TypeError, 'fgsm: model must return a single tensor of class scores [N, C], got undefined'],
    ['label out of range', () => fgsm(model, x(), tf.tensor1d([0, 1, 3, 0, 1], 'int32'), { epsilon: 0.1 }), RangeError, 'fgsm: y must hold class indices in [0, 3), got 3 at index 2'],
    ['negative label', () => pgd(model, x(), tf.tensor1d([0, -1, 2, 0, 1]), { epsilon: 0.1 }), RangeError, 'pgd: y must hold class indices in [0, 3), got -1 at index 1'],
    ['one-hot width', () => fgsm(model, x(), tf.oneHot(y(), 4), { epsilon: 0.1 }), RangeError, "fgsm: one-hot y must have 3 columns (the model's classes), got 4"],
    ['soft labels', () => fgsm(model, x(), tf.fill([5, 3], 1 / 3), { epsilon: 0.1 }), RangeError, 'fgsm: one-hot y must have exactly one 1 per row and zeros elsewhere, got [0.3333333432674408, 0.3333333432674408, 0.3333333432674408] at row 0'],
    ['clip min >= max', () => fgsm(model, x(), y(), { epsilon: 0.1, clip: [1, 1] }), RangeError, 'fgsm: clip must have min < max, got [1, 1]'],
    ['clip not a pair', () => fgsm(model, x(), y(), { epsilon: 0.1, clip: [0] as never }), TypeError, 'fgsm: clip must be [min, max] with finite numbers, or null, got [0]'],
    ['x outside clip', () => fgsm(model, tf.fill([5, 4], 2), y(), { epsilon: 0.1 }), RangeError, 'fgsm: x must lie within clip [0, 1], got values in [2, 2]'],
    ['steps < 1', () => pgd(model, x(), y(), { epsilon: 0.1, steps: 0 }), RangeError, 'pgd: steps must be an integer in [1, 1000000], got 0'],
    ['stepSize 0', () => pgd(model, x(), y(), { epsilon: 0.1, stepSize: 0 }), RangeError, 'pgd: stepSize must be a finite number > 0, got 0'],
    ['negative stepSize', () => pgd(model, x(), y(), { epsilon: 0.1, stepSize: -0.01 }), RangeError, 'pgd: stepSize must be a finite number > 0, got -0.01'],
    ['unknown norm', () => pgd(model, x(), y(), { epsilon: 0.1, norm: 'l1' as never }), RangeError, "pgd: norm must be one of 'linf', 'l2', got \"l1\""],
    ['unknown outputs', () => pgd(model, x(), y(), { epsilon: 0.1, outputs: 'scores' as never }), RangeError, "pgd: outputs must be one of 'auto', 'logits', 'probabilities', got \"scores\""],
    ['restarts 0', () => pgd(model, x(), y(), { epsilon: 0.1, restarts: 0 }), RangeError, 'pgd: restarts must be an integer in [1, 10000], got 0'],
    ['not a model', () => fgsm({} as never, x(), y(), { epsilon: 0.1 }), TypeError, 'fgsm: model must be a tfjs-layers LayersModel or a function (x) => outputs, got an object'],
    ['x not a tensor', () => fgsm(model, [[0.5]] as never, y(), { epsilon: 0.1 }), TypeError, 'fgsm: x must be a tf.Tensor, got [[0.5]]'],
    ['y not a tensor', () => fgsm(model, x(), [0, 1] as never, { epsilon: 0.1 }), TypeError, 'fgsm: y must be a tf.Tensor, got [0, 1]'],
  ];
  pinErrors(cases, it);

  it('robustAccuracy: errors', async () => {
    await expect(robustAccuracy(model, x(), y(), { attack: 'cw' as never, epsilons: [0] })).rejects.toThrow(
      new RangeError("robustAccuracy: attack must be one of 'fgsm', 'pgd', got \"cw\""),
    );
    await expect(robustAccuracy(model, x(), y(), { attack: 'fgsm', epsilons: [] })).rejects.toThrow(
      new TypeError('robustAccuracy: epsilons must be a non-empty array of numbers, got []'),
    );
    await expect(robustAccuracy(model, x(), y(), { attack: 'fgsm', epsilons: [0.1, -1] })).rejects.toThrow(
      new RangeError('robustAccuracy: epsilons[1] must be a finite number >= 0, got -1'),
    );
    await expect(robustAccuracy(model, x(), y(), { attack: 'fgsm', epsilons: [0.1], targeted: true } as never)).rejects.toThrow(
      new TypeError('robustAccuracy: targeted is not supported; robust accuracy is measured against the true labels y'),
    );
  });

  it('robustAccuracy: x, y and model errors (class and message pinned)', async () => {
    await rejectsWith(robustAccuracy(model, x(), tf.tensor1d([0, 1, 2], 'int32'), { attack: 'pgd', epsilons: [0.1] }), RangeError, 'robustAccuracy: x and y must have the same batch size (first axis), got x of shape [5, 4] and y of shape [3]');
    await rejectsWith(robustAccuracy(model, tf.zeros([0, 4]), tf.zeros([0], 'int32'), { attack: 'fgsm', epsilons: [0.1] }), RangeError, 'robustAccuracy: x must hold at least one example, got an empty batch of shape [0, 4]');
    await rejectsWith(robustAccuracy(model, disposed(x()), y(), { attack: 'pgd', epsilons: [0.1] }), TypeError, 'robustAccuracy: x is a disposed tensor (shape [5, 4]); it was freed by dispose() or tidy() before this call');
    await rejectsWith(robustAccuracy(model, x(), disposed(y()), { attack: 'pgd', epsilons: [0.1] }), TypeError, 'robustAccuracy: y is a disposed tensor (shape [5]); it was freed by dispose() or tidy() before this call');
    await rejectsWith(robustAccuracy(twoOutputs, x(), y(), { attack: 'fgsm', epsilons: [0.1] }), TypeError, twoOutputsMessage('robustAccuracy'));
    await rejectsWith(robustAccuracy(() => [x(), x()] as never, x(), y(), { attack: 'fgsm', epsilons: [0.1] }), TypeError, 'robustAccuracy: model must return a single tensor of class scores [N, C], got an array of length 2');
  });
});
