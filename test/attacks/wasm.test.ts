import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { fgsm, pgd, robustAccuracy } from '../../src/index';
import { expectNoLeak, gaussianMatrix, rng } from '../helpers/oracles';

/** The same attacks on cpu and on wasm give the same adversarial inputs (up to float32 sign ties). */
async function onBackend<T>(name: string, body: () => T | Promise<T>): Promise<T> {
  await tf.setBackend(name);
  await tf.ready();
  return body();
}

describe('attacks on wasm match cpu', () => {
  const u = rng(3);
  const xs = Array.from({ length: 32 }, () => Array.from({ length: 30 }, () => u()));
  const weights = [gaussianMatrix(30, 16, 1), Array(16).fill(0), gaussianMatrix(16, 5, 2), Array(5).fill(0)];
  const run = () => {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ units: 16, activation: 'tanh', inputShape: [30] }), tfl.layers.dense({ units: 5, activation: 'softmax' })],
    });
    model.setWeights(weights.map((w) => tf.tensor(w)));
    const x = tf.tensor2d(xs);
    const y = tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 5), 'int32');
    return {
      fgsm: fgsm(model, x, y, { epsilon: 0.05 }).dataSync(),
      pgd: pgd(model, x, y, { epsilon: 0.05, steps: 10, stepSize: 0.01 }).dataSync(),
      l2: pgd(model, x, y, { epsilon: 0.5, steps: 5, stepSize: 0.2, norm: 'l2' }).dataSync(),
      model,
      x,
      y,
    };
  };

  it('fgsm, pgd (L-inf and L2) and robustAccuracy agree across backends; no leak on wasm', async () => {
    const cpu = await onBackend('cpu', run);
    const wasm = await onBackend('wasm', run);
    for (const key of ['fgsm', 'pgd', 'l2'] as const) {
      const a = cpu[key];
      const b = wasm[key];
      let maxDiff = 0;
      for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
      // Sign steps agree exactly unless a gradient component sits at a float32 tie.
      expect(maxDiff).toBeLessThan(key === 'l2' ? 1e-4 : 0.011);
    }
    const curve = await robustAccuracy(wasm.model, wasm.x, wasm.y, { attack: 'pgd', epsilons: [0, 0.05], steps: 5 });
    expect(curve[1]!.accuracy).toBeLessThanOrEqual(curve[0]!.accuracy);
    await expectNoLeak(() => {
      fgsm(wasm.model, wasm.x, wasm.y, { epsilon: 0.05 }).dispose();
      pgd(wasm.model, wasm.x, wasm.y, { epsilon: 0.05, steps: 3 }).dispose();
    });
    expect(tf.getBackend()).toBe('wasm');
  });
});
