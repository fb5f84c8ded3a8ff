import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { fgsm, pgd } from '../../src/index';
import { parallelAttack, setupNodeBackend } from '../../src/node/index';
import { expectNoLeak, gaussianMatrix, rng } from '../helpers/oracles';

describe('parallelAttack (worker threads)', () => {
  let model: tfl.Sequential;
  let x: tf.Tensor;
  let y: tf.Tensor;
  beforeAll(async () => {
    await setupNodeBackend({ backend: 'wasm', quiet: true });
    model = tfl.sequential({ layers: [tfl.layers.dense({ units: 32, activation: 'tanh', inputShape: [20] }), tfl.layers.dense({ units: 4, activation: 'softmax' })] });
    model.setWeights([tf.tensor2d(gaussianMatrix(20, 32, 1)), tf.zeros([32]), tf.tensor2d(gaussianMatrix(32, 4, 2)), tf.zeros([4])]);
    const u = rng(4);
    x = tf.tensor2d(Array.from({ length: 45 }, () => Array.from({ length: 20 }, () => u())));
    y = tf.tensor1d(Array.from({ length: 45 }, (_, i) => i % 4), 'int32');
  });

  it('gives the same adversarial inputs as pgd and fgsm in this thread, in order', async () => {
    const options = { epsilon: 0.05, steps: 10, stepSize: 0.01 };
    const parallel = await parallelAttack(model, x, y, { attack: 'pgd', workers: 3, ...options });
    const serial = pgd(model, x, y, options);
    expect(parallel.shape).toEqual(x.shape);
    expect(tf.max(tf.abs(tf.sub(parallel, serial))).dataSync()[0]).toBeLessThan(1e-6);
    const parallelFgsm = await parallelAttack(model, x, tf.oneHot(y, 4), { attack: 'fgsm', epsilon: 0.1, workers: 2 });
    expect(Array.from(parallelFgsm.dataSync())).toEqual(Array.from(fgsm(model, x, y, { epsilon: 0.1 }).dataSync()));
  });

  it('leaks no tensors in the calling thread', async () => {
    await parallelAttack(model, x, y, { attack: 'fgsm', epsilon: 0.1, workers: 2 }).then((t) => t.dispose());
    await expectNoLeak(async () => {
      (await parallelAttack(model, x, y, { attack: 'fgsm', epsilon: 0.1, workers: 2 })).dispose();
    });
  });

  it('errors are clear, and invalid attack options fail before any worker starts', async () => {
    await expect(parallelAttack(model, x, y, { attack: 'cw' as never, epsilon: 0.1 })).rejects.toThrow(new RangeError("parallelAttack: attack must be one of 'fgsm', 'pgd', got \"cw\""));
    await expect(parallelAttack(model, x, y, { attack: 'pgd', epsilon: -1 })).rejects.toThrow(new RangeError('parallelAttack: epsilon must be a finite number >= 0, got -1'));
    await expect(parallelAttack(model, x, y, { attack: 'pgd', epsilon: 0.1, workers: 0 })).rejects.toThrow(new RangeError('parallelAttack: workers must be an integer in [1, 256], got 0'));
    await expect(parallelAttack(model, x, y, { attack: 'pgd', epsilon: 0.1, loss: () => tf.zeros([1]) as tf.Tensor1D })).rejects.toThrow(
      new TypeError('parallelAttack: a custom loss function cannot be sent to worker threads; use fgsm or pgd directly'),
    );
    // Errors inside a worker (here: labels out of range) come back as errors.
    await expect(parallelAttack(model, x, tf.fill([45], 9, 'int32'), { attack: 'fgsm', epsilon: 0.1, workers: 2 })).rejects.toThrow(
      'parallelAttack: a worker failed: fgsm: y must hold class indices in [0, 4), got 9 at index 0',
    );
  });
});
