import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it, vi } from 'vitest';
import { setupNodeBackend } from '../../src/node/index';
import { buildModel } from '../../examples/experiment/models';
import { gaussianMatrix, rng } from '../helpers/oracles';

// As on a machine without a GPU, so the default's answer does not depend on the machine running the tests.
vi.mock('../../src/node/gpuDeviceNodes', () => ({ hasGpuDeviceNode: () => false }));

/** Runs `body` on a backend and returns plain arrays, so results can be compared across backends. */
async function on<T>(backend: string, body: () => T): Promise<T> {
  await tf.setBackend(backend);
  await tf.ready();
  return body();
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('setupNodeBackend', () => {
  it('chooses wasm when tfjs-node is absent and there is no GPU, says so once, and registers the fixes without warnings', async () => {
    const wasmKernelsBefore = tf.getKernelsForBackend('wasm').length;
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const warn = vi.spyOn(console, 'warn');
    expect(await setupNodeBackend()).toBe('wasm');
    expect(await setupNodeBackend()).toBe('wasm');
    expect(info).toHaveBeenCalledTimes(1);
    expect(info.mock.calls[0]![0]).toMatch(/^spectral-reg: using the wasm backend with \d+ threads? \(\d+ cores?\): XNNPACK; /);
    expect(warn).not.toHaveBeenCalled();
    expect(tf.getKernelsForBackend('wasm').length).toBe(wasmKernelsBefore + 1); // + Conv2DBackpropFilter (the others are replaced)
    info.mockRestore();
    warn.mockRestore();
  });

  it('a named backend that cannot load fails clearly; options are checked', async () => {
    await expect(setupNodeBackend({ backend: 'tensorflow', quiet: true })).rejects.toThrow(/^setupNodeBackend: no backend could be set up \(tensorflow: /);
    await expect(setupNodeBackend({ backend: 'gpu' as never })).rejects.toThrow(new RangeError("setupNodeBackend: backend must be one of 'auto', 'tensorflow', 'webgpu', 'wasm', 'cpu', got \"gpu\""));
    await expect(setupNodeBackend({ quiet: 1 as never })).rejects.toThrow(new TypeError('setupNodeBackend: quiet must be a boolean, got 1'));
    expect(await setupNodeBackend({ backend: 'cpu', quiet: true })).toBe('cpu');
    expect(await setupNodeBackend({ backend: 'wasm', quiet: true })).toBe('wasm');
  });
});

describe('wasm kernel fixes match the cpu backend', () => {
  it('matMul with every transpose combination, 2-D and batched', async () => {
    await setupNodeBackend({ backend: 'wasm', quiet: true });
    const a = gaussianMatrix(6, 5, 1);
    const b = gaussianMatrix(5, 7, 2);
    const compute = () =>
      [false, true].flatMap((ta) =>
        [false, true].map((tb) => {
          const A = ta ? tf.transpose(tf.tensor2d(a)) : tf.tensor2d(a);
          const B = tb ? tf.transpose(tf.tensor2d(b)) : tf.tensor2d(b);
          const batched = tf.matMul(tf.stack([A, A]) as tf.Tensor3D, tf.stack([B, B]) as tf.Tensor3D, ta, tb);
          return [...tf.matMul(A as tf.Tensor2D, B as tf.Tensor2D, ta, tb).dataSync(), ...batched.dataSync()];
        }),
      );
    const cpu = await on('cpu', compute);
    const wasm = await on('wasm', compute);
    for (const [i, values] of cpu.entries()) expect(maxDiff(values, wasm[i]!)).toBeLessThan(1e-5);
  });

  it('max-pool gradients, including windows where every value is negative', async () => {
    await setupNodeBackend({ backend: 'wasm', quiet: true });
    const compute = () =>
      [
        { values: [-3, -1, -2, -4], shape: [1, 2, 2, 1] as const, size: 2, strides: 2, pad: 'valid' as const },
        { values: Array.from({ length: 2 * 7 * 5 * 3 }, (_, i) => Math.sin(i * 1.7) - 0.3), shape: [2, 7, 5, 3] as const, size: 3, strides: 2, pad: 'same' as const },
        { values: Array.from({ length: 1 * 6 * 6 * 2 }, (_, i) => -Math.abs(Math.cos(i))), shape: [1, 6, 6, 2] as const, size: 2, strides: 1, pad: 'valid' as const },
      ].map(({ values, shape, size, strides, pad }) =>
        tf.tidy(() => {
          const x = tf.tensor4d(values, [...shape]);
          return Array.from(tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, size, strides, pad), 1.5)))(x).dataSync());
        }),
      );
    const cpu = await on('cpu', compute);
    const wasm = await on('wasm', compute);
    expect(wasm[0]).toEqual([0, 1.5, 0, 0]);
    for (const [i, values] of cpu.entries()) expect(maxDiff(values, wasm[i]!)).toBe(0);
  });

  it('conv2d filter gradients (valid/same padding, strides 1 and 2, odd sizes)', async () => {
    await setupNodeBackend({ backend: 'wasm', quiet: true });
    const u = rng(5);
    const x = Array.from({ length: 2 * 9 * 7 * 3 }, () => u() - 0.5);
    const w = Array.from({ length: 3 * 2 * 3 * 4 }, () => u() - 0.5);
    const cases: Array<[[number, number], 'valid' | 'same']> = [
      [[1, 1], 'valid'],
      [[2, 2], 'same'],
      [[1, 2], 'same'],
      [[2, 1], 'valid'],
    ];
    const compute = () =>
      cases.map(([strides, pad]) =>
        tf.tidy(() => {
          const input = tf.tensor4d(x, [2, 9, 7, 3]);
          const filter = tf.tensor4d(w, [3, 2, 3, 4]);
          const weights = tf.randomUniform([1], 0, 1, 'float32', 3);
          const [dx, dw] = tf.grads((i: tf.Tensor, f: tf.Tensor) =>
            tf.sum(tf.mul(tf.conv2d(i as tf.Tensor4D, f as tf.Tensor4D, strides, pad), tf.add(weights, tf.linspace(0, 1, 4)))),
          )([input, filter]);
          return [Array.from(dx!.dataSync()), Array.from(dw!.dataSync())];
        }),
      );
    const cpu = await on('cpu', compute);
    const wasm = await on('wasm', compute);
    cpu.forEach(([dx, dw], i) => {
      expect(maxDiff(dx!, wasm[i]![0]!)).toBeLessThan(1e-4);
      expect(maxDiff(dw!, wasm[i]![1]!)).toBeLessThan(1e-4);
    });
  });

  for (const [name, build, inputShape] of [
    [
      'shallow MLP',
      () => tfl.sequential({ layers: [tfl.layers.dense({ units: 40, activation: 'tanh', inputShape: [30] }), tfl.layers.dense({ units: 10, activation: 'softmax' })] }),
      [30],
    ],
    [
      "the paper's MNIST CNN",
      () => buildModel('cnn', [28, 28, 1], 10, null, 1),
      [28, 28, 1],
    ],
  ] as const) {
    it(`${name}: one SGD training step and the input gradient agree`, async () => {
      await setupNodeBackend({ backend: 'wasm', quiet: true });
      const n = 8;
      const u = rng(7);
      const xs = Array.from({ length: n * inputShape.reduce((a: number, b: number) => a * b, 1) }, () => u());
      const labels = Array.from({ length: n }, (_, i) => i % 10);
      const initial = await on('cpu', () => {
        const m = build();
        return m.getWeights().map((w) => ({ values: Array.from(w.dataSync()), shape: w.shape }));
      });
      const step = async () => {
        const model = build();
        model.setWeights(initial.map((w) => tf.tensor(w.values, w.shape)));
        model.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' });
        const x = tf.tensor(xs, [n, ...inputShape]);
        const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
        const inputGradient = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(model.apply(input) as tf.Tensor, y)))(x).dataSync();
        await model.trainOnBatch(x, y);
        return { inputGradient: Array.from(inputGradient), weights: model.getWeights().map((w) => Array.from(w.dataSync())) };
      };
      await tf.setBackend('cpu');
      const cpu = await step();
      await tf.setBackend('wasm');
      const wasm = await step();
      expect(maxDiff(cpu.inputGradient, wasm.inputGradient)).toBeLessThan(1e-5);
      for (const [i, w] of cpu.weights.entries()) expect(maxDiff(w, wasm.weights[i]!)).toBeLessThan(1e-4);
      // The step moved the weights: the comparison is not between two unchanged models.
      expect(maxDiff(cpu.weights[0]!, initial[0]!.values)).toBeGreaterThan(1e-4);
    });
  }
});
