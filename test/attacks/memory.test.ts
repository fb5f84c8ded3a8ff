import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { pgd, robustAccuracy } from '../../src/index';
import { expectNoLeak, gaussianMatrix, rng } from '../helpers/oracles';

/** A dense 6 -> 4 softmax model with fixed weights. */
function tinyModel() {
  const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 4, activation: 'softmax', inputShape: [6] })] });
  model.setWeights([tf.tensor2d(gaussianMatrix(6, 4, 1)), tf.zeros([4])]);
  return model;
}

function data(n: number) {
  const u = rng(2);
  return {
    x: tf.tensor2d(Array.from({ length: n }, () => Array.from({ length: 6 }, () => 0.1 + 0.8 * u()))),
    y: tf.tensor1d(Array.from({ length: n }, (_, i) => i % 4), 'int32'),
  };
}

describe('pgd with restarts frees everything it creates', () => {
  const model = tinyModel();
  const { x, y } = data(7);

  it('inside tidy: the result of pgd with restarts is freed with the scope', async () => {
    // Warm up once so lazily created state (the adapter's caches, backend constants) is not counted.
    tf.tidy(() => pgd(model, x, y, { epsilon: 0.05, steps: 2, restarts: 3 }));
    await expectNoLeak(() => {
      for (const batchSize of [undefined, 3]) {
        for (const norm of ['linf', 'l2'] as const) {
          tf.tidy(() => {
            pgd(model, x, y, { epsilon: 0.05, steps: 2, restarts: 3, norm, batchSize });
          });
        }
      }
    });
  });

  it('the tensor returned from tidy is the only one left, and dispose frees it', async () => {
    await expectNoLeak(() => {
      const kept = tf.tidy(() => pgd(model, x, y, { epsilon: 0.05, steps: 2, restarts: 2 }));
      expect(kept.isDisposed).toBe(false);
      kept.dispose();
    });
  });

  it('robustAccuracy with pgd restarts, over several chunks and epsilons', async () => {
    await expectNoLeak(async () => {
      await robustAccuracy(model, x, y, { attack: 'pgd', epsilons: [0, 0.02, 0.05], steps: 2, restarts: 3, batchSize: 3 });
    });
  });
});
