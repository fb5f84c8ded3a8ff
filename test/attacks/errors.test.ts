import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { fgsm, pgd, robustAccuracy } from '../../src/index';
import { pinErrors } from '../helpers/oracles';

const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, activation: 'softmax', inputShape: [4] })] });
const x = () => tf.fill([5, 4], 0.5);
const y = () => tf.tensor1d([0, 1, 2, 0, 1], 'int32');

describe('attack errors (pinned word for word)', () => {
  const cases: Array<[string, () => unknown, ErrorConstructor, string]> = [
    ['negative epsilon', () => fgsm(model, x(), y(), { epsilon: -0.1 }), RangeError, 'fgsm: epsilon must be a finite number >= 0, got -0.1'],
    ['NaN epsilon', () => pgd(model, x(), y(), { epsilon: Number.NaN }), RangeError, 'pgd: epsilon must be a finite number >= 0, got NaN'],
    ['missing epsilon', () => fgsm(model, x(), y(), {} as never), TypeError, 'fgsm: epsilon must be a finite number >= 0, got undefined'],
    ['missing options', () => fgsm(model, x(), y(), undefined as never), TypeError, 'fgsm: options with an epsilon are required, got undefined'],
    ['batch mismatch', () => fgsm(model, x(), tf.tensor1d([0, 1], 'int32'), { epsilon: 0.1 }), RangeError, 'fgsm: x and y must have the same batch size, got 5 and 2'],
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
    ['y not a tensor', () => fgsm(model, x(), [0, 1] as never, { epsilon: 0.1 }), TypeError, 'fgsm: y must be a tf.Tensor of labels, got [0, 1]'],
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
});
