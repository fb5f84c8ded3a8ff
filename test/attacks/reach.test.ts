import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { fgsm, pgd, robustAccuracy } from '../../src/index';
import { resetReachWarnings } from '../../src/attacks/reach';
import { gaussianMatrix, rng } from '../helpers/oracles';

const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 4, activation: 'softmax', inputShape: [6] })] });
model.setWeights([tf.tensor2d(gaussianMatrix(6, 4, 1)), tf.zeros([4])]);
const u = rng(2);
const x = tf.tensor2d(Array.from({ length: 5 }, () => Array.from({ length: 6 }, () => 0.1 + 0.8 * u())));
const y = tf.tensor1d([0, 1, 2, 3, 0], 'int32');

const DEFAULTS_AT_05 =
  'pgd: the attack moves at most steps x stepSize = 40 x 0.01 = 0.4 (L-inf) from its start, less than epsilon 0.5, so it cannot reach the edge of the epsilon ball: ' +
  'a run started at x gives the same result for every epsilon >= 0.4. Raise steps to at least 50 or stepSize to at least 0.0125. Shown once per norm, steps and stepSize.';

describe('pgd warns once when steps x stepSize cannot reach epsilon', () => {
  let warn: MockInstance<typeof console.warn>;
  beforeEach(() => {
    resetReachWarnings();
    warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('with the paper defaults (40 x 0.01) and epsilon 0.5: the text, pinned, and only once', () => {
    pgd(model, x, y, { epsilon: 0.5, steps: 40 }).dispose();
    expect(warn.mock.calls).toEqual([[DEFAULTS_AT_05]]);
    // Same norm, steps and stepSize, another epsilon: nothing new to say.
    pgd(model, x, y, { epsilon: 0.8 }).dispose();
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('what it says is true: from x, every epsilon above steps x stepSize gives the same attack', () => {
    const at = (epsilon: number) => Array.from(pgd(model, x, y, { epsilon, steps: 4, stepSize: 0.05, clip: null }).dataSync());
    expect(at(0.5)).toEqual(at(0.25));
    expect(at(0.25)).not.toEqual(at(0.1));
  });

  it('silent when steps x stepSize reaches epsilon, including exactly (40 x 0.01 = 0.4, 3 x 0.1 vs 0.3), and for fgsm', () => {
    pgd(model, x, y, { epsilon: 0.4 }).dispose();
    pgd(model, x, y, { epsilon: 0.3, steps: 3, stepSize: 0.1 }).dispose();
    pgd(model, x, y, { epsilon: 0.07, steps: 7, stepSize: 0.01 }).dispose();
    pgd(model, x, y, { epsilon: 0 }).dispose();
    fgsm(model, x, y, { epsilon: 0.9 }).dispose();
    expect(warn).not.toHaveBeenCalled();
  });

  it('L2: the same bound on the L2 norm; a new norm or step setting warns again', () => {
    pgd(model, x, y, { epsilon: 2, norm: 'l2', steps: 3, stepSize: 0.1 }).dispose();
    pgd(model, x, y, { epsilon: 2, norm: 'linf', steps: 3, stepSize: 0.1, clip: null }).dispose();
    pgd(model, x, y, { epsilon: 2, norm: 'l2', steps: 4, stepSize: 0.1 }).dispose();
    expect(warn.mock.calls.map((c) => c[0])).toEqual([
      'pgd: the attack moves at most steps x stepSize = 3 x 0.1 = 0.3 (L2) from its start, less than epsilon 2, so it cannot reach the edge of the epsilon ball: ' +
        'a run started at x gives the same result for every epsilon >= 0.3. Raise steps to at least 20 or stepSize to at least 0.667. Shown once per norm, steps and stepSize.',
      'pgd: the attack moves at most steps x stepSize = 3 x 0.1 = 0.3 (L-inf) from its start, less than epsilon 2, so it cannot reach the edge of the epsilon ball: ' +
        'a run started at x gives the same result for every epsilon >= 0.3. Raise steps to at least 20 or stepSize to at least 0.667. Shown once per norm, steps and stepSize.',
      'pgd: the attack moves at most steps x stepSize = 4 x 0.1 = 0.4 (L2) from its start, less than epsilon 2, so it cannot reach the edge of the epsilon ball: ' +
        'a run started at x gives the same result for every epsilon >= 0.4. Raise steps to at least 20 or stepSize to at least 0.5. Shown once per norm, steps and stepSize.',
    ]);
  });

  it('an invalid call throws without warning', () => {
    expect(() => pgd(model, x, tf.tensor1d([0, 1], 'int32'), { epsilon: 0.5 })).toThrow(RangeError);
    expect(warn).not.toHaveBeenCalled();
  });

  it('robustAccuracy with pgd warns once per call, naming every epsilon out of reach; with fgsm never', async () => {
    await robustAccuracy(model, x, y, { attack: 'pgd', epsilons: [0, 0.02, 0.05, 0.1, 0.2], steps: 2, stepSize: 0.03, batchSize: 2 });
    expect(warn.mock.calls).toEqual([
      [
        'robustAccuracy: pgd moves at most steps x stepSize = 2 x 0.03 = 0.06 (L-inf) from its start, less than epsilons 0.1, 0.2, so it cannot reach the edge of the epsilon ball: ' +
          'a run started at x gives the same result for every epsilon >= 0.06. Raise steps to at least 7 or stepSize to at least 0.1. Shown once per norm, steps and stepSize.',
      ],
    ]);
    await robustAccuracy(model, x, y, { attack: 'fgsm', epsilons: [0.5, 0.9] });
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
