import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { measureAlpha, spectralHistory, spectralRegularizer } from '../../src/index';
import { readMnist } from '../../src/datasets/loadMnist';

// Real data: 3000 MNIST training images, a 784-256-10 tanh MLP, 5 epochs on wasm.
const N = 3000;

async function trainAndMeasure(targetAlpha: number | null) {
  const { images, labels } = (await readMnist({ trainLimit: N, testLimit: 0 })).train;
  const x = tf.tensor2d(images, [N, 784]);
  const y = tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), 10);
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 256, activation: 'tanh', inputShape: [784], name: 'hidden', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      ...(targetAlpha === null ? [] : [spectralRegularizer({ targetAlpha, strength: 1, name: 'spectral' })]),
      tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const monitor = spectralHistory();
  const history = await model.fit(x, y, { epochs: 5, batchSize: 300, shuffle: false, callbacks: [monitor], verbose: 0 });
  const [hidden] = await measureAlpha(model, tf.slice(x, 0, 1000), { layers: ['hidden'] });
  const accuracy = (history.history.acc as number[]).at(-1) as number;
  tf.dispose([x, y]);
  model.dispose();
  return { alpha: hidden!.alpha, accuracy, history: history.history, records: monitor.records };
}

describe('SpectralRegularizer on real MNIST (wasm)', () => {
  let baseline: Awaited<ReturnType<typeof trainAndMeasure>>;
  beforeAll(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
    baseline = await trainAndMeasure(null);
  });

  it('the unregularised baseline learns and sits between the two targets', () => {
    expect(baseline.accuracy).toBeGreaterThan(0.85);
    expect(baseline.alpha).toBeGreaterThan(1.1);
    expect(baseline.alpha).toBeLessThan(2);
  });

  it('target 3 pulls the measured hidden alpha towards 3, away from the baseline', async () => {
    const run = await trainAndMeasure(3);
    expect(Math.abs(run.alpha - 3)).toBeLessThan(0.3);
    expect(Math.abs(run.alpha - 3)).toBeLessThan(Math.abs(baseline.alpha - 3) / 3);
    expect(run.accuracy).toBeGreaterThan(0.8);
    // History holds alpha per epoch, and it moves towards the target.
    const perEpoch = run.history.spectral_alpha as number[];
    expect(perEpoch).toHaveLength(5);
    expect(perEpoch.at(-1)!).toBeGreaterThan(perEpoch[0]! + 1);
    expect(run.records.map((r) => r.epoch)).toEqual([0, 1, 2, 3, 4]);
    expect(run.records[0]!.spectrum).toHaveLength(10);
  });

  it('target 1 pulls it towards 1', async () => {
    const run = await trainAndMeasure(1);
    expect(Math.abs(run.alpha - 1)).toBeLessThan(0.15);
    expect(Math.abs(run.alpha - 1)).toBeLessThan(Math.abs(baseline.alpha - 1) / 2);
  });
});
