import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { resetReachWarnings } from '../../src/attacks/reach';
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
    // Label values and x's range are checked on the whole batch before the workers start:
    // the index is the one in the y given (23 falls in the second worker's share).
    const badLabel = tf.tensor1d(Array.from({ length: 45 }, (_, i) => (i === 23 ? 9 : i % 4)), 'int32');
    await expect(parallelAttack(model, x, badLabel, { attack: 'fgsm', epsilon: 0.1, workers: 2 })).rejects.toThrow(
      new RangeError('parallelAttack: y must hold class indices in [0, 4), got 9 at index 23'),
    );
    const outside = tf.tidy(() => tf.concat([tf.slice(x, 0, 30), tf.fill([15, 20], 1.5)]));
    await expect(parallelAttack(model, outside, y, { attack: 'fgsm', epsilon: 0.1, workers: 2 })).rejects.toThrow(
      new RangeError(`parallelAttack: x must lie within clip [0, 1], got values in [${tf.min(x).dataSync()[0]}, 1.5]`),
    );
    tf.dispose([badLabel, outside]);
  });

  it('an error inside a worker comes back as an error: a custom layer class the workers do not know', async () => {
    class Doubling extends tfl.layers.Layer {
      static className = 'DoublingForParallelAttackTest';
      override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
        return tf.mul(Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs, 2);
      }
    }
    tf.serialization.registerClass(Doubling);
    const custom = tfl.sequential({ layers: [tfl.layers.dense({ units: 4, inputShape: [20] }), new Doubling({}), tfl.layers.softmax()] });
    await expect(parallelAttack(custom, x, y, { attack: 'fgsm', epsilon: 0.1, workers: 2 })).rejects.toThrow(
      /^parallelAttack: a worker failed: Unknown layer: DoublingForParallelAttackTest\./,
    );
    custom.dispose();
  });

  it('warns once, in the calling thread, when steps x stepSize cannot reach epsilon; the workers stay silent', async () => {
    resetReachWarnings();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const stderr = vi.spyOn(process.stderr, 'write');
    try {
      const options = { attack: 'pgd' as const, epsilon: 0.5, steps: 2, stepSize: 0.01, workers: 2 };
      (await parallelAttack(model, x, y, options)).dispose();
      (await parallelAttack(model, x, y, options)).dispose();
      expect(warn.mock.calls).toEqual([
        [
          'parallelAttack: pgd moves at most steps x stepSize = 2 x 0.01 = 0.02 (L-inf) from its start, less than epsilon 0.5, so it cannot reach the edge of the epsilon ball: ' +
            'a run started at x gives the same result for every epsilon >= 0.02. Raise steps to at least 50 or stepSize to at least 0.25. Shown once per norm, steps and stepSize.',
        ],
      ]);
      // A worker's console writes to this process's stderr.
      expect(stderr.mock.calls.map((c) => String(c[0])).filter((line) => line.includes('moves at most'))).toEqual([]);
    } finally {
      warn.mockRestore();
      stderr.mockRestore();
    }
  });

  it('checks x, y and the model before any worker starts, naming the function, the argument and what was given', async () => {
    const rejection = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    const expectError = async (promise: Promise<unknown>, type: ErrorConstructor, message: string) => {
      const error = await rejection(promise);
      expect(error).toBeInstanceOf(type);
      expect(error?.message).toBe(message);
    };
    // A short y: before, the last share's labels were read past the end of y on wasm.
    await expectError(
      parallelAttack(model, x, tf.slice(y, 0, 40), { attack: 'pgd', epsilon: 0.1, workers: 3 }),
      RangeError,
      'parallelAttack: x and y must have the same batch size (first axis), got x of shape [45, 20] and y of shape [40]',
    );
    await expectError(
      parallelAttack(model, tf.zeros([0, 20]), tf.zeros([0], 'int32'), { attack: 'fgsm', epsilon: 0.1 }),
      RangeError,
      'parallelAttack: x must hold at least one example, got an empty batch of shape [0, 20]',
    );
    const gone = tf.clone(x);
    gone.dispose();
    await expectError(
      parallelAttack(model, gone, y, { attack: 'fgsm', epsilon: 0.1 }),
      TypeError,
      'parallelAttack: x is a disposed tensor (shape [45, 20]); it was freed by dispose() or tidy() before this call',
    );
    const goneLabels = tf.clone(y);
    goneLabels.dispose();
    await expectError(
      parallelAttack(model, x, goneLabels, { attack: 'fgsm', epsilon: 0.1 }),
      TypeError,
      'parallelAttack: y is a disposed tensor (shape [45]); it was freed by dispose() or tidy() before this call',
    );
    const input = tfl.input({ shape: [20] });
    const twoOutputs = tfl.model({
      inputs: input,
      outputs: [tfl.layers.dense({ units: 4 }).apply(input) as tfl.SymbolicTensor, tfl.layers.dense({ units: 2 }).apply(input) as tfl.SymbolicTensor],
    });
    await expectError(
      parallelAttack(twoOutputs, x, y, { attack: 'fgsm', epsilon: 0.1 }),
      TypeError,
      'parallelAttack: model must have a single output (class scores [N, C]), got a LayersModel with 2 outputs; build one with only the classification output, e.g. tf.model({ inputs: model.inputs, outputs: model.outputs[0] })',
    );
  });
});
