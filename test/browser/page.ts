/**
 * Runs in headless Chromium: the browser test subset on one backend, with
 * the built ESM bundle of spectral-reg (dist/index.js). Bundled by
 * test/browser/run.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { eigenspectrum, fgsm, pgd, spectralHistory, spectralLoss, spectralRegularizer } from '../../dist/index.js';

/** Deterministic data, identical on every backend. */
function matrix(rows: number, cols: number, seed: number): number[][] {
  let s = seed;
  const next = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => next()));
}

let stage = 'start';
async function run(backend: string, ritzSolve: 'auto' | 'host' | 'device') {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} is not available`);
  await tf.ready();
  const x = tf.tensor2d(matrix(64, 24, 7));
  stage = 'eigenspectrum';
  // Reads are asynchronous throughout: webgpu's synchronous read is unreliable.
  const spectrum = Array.from(await eigenspectrum(x, { method: 'subspace', k: 5, ritzSolve }).data());
  stage = 'loss gradient';
  const gradient = Array.from(await tf.grad((a: tf.Tensor) => spectralLoss(a, { targetAlpha: 2, method: 'subspace', range: [0, 5], ritzSolve }))(x).data());

  stage = 'model.fit';
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 16, activation: 'tanh', inputShape: [24] }),
      spectralRegularizer({ targetAlpha: 2, range: [0, 5], method: 'subspace', ritzSolve, name: 'spec' }),
      tfl.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  model.setWeights([tf.sub(tf.tensor2d(matrix(24, 16, 1)), 0.5), tf.zeros([16]), tf.sub(tf.tensor2d(matrix(16, 3, 2)), 0.5), tf.zeros([3])]);
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  const labels = tf.tensor1d(Array.from({ length: 64 }, (_, i) => i % 3), 'int32');
  const history = await model.fit(x, tf.oneHot(labels, 3), { epochs: 1, batchSize: 32, shuffle: false, verbose: 0, callbacks: [spectralHistory()] });
  const weights = Array.from(await model.getWeights()[0]!.data());
  stage = 'attacks';
  const fgsmResult = Array.from(await fgsm(model, x, labels, { epsilon: 0.05 }).data());
  const pgdResult = Array.from(await pgd(model, x, labels, { epsilon: 0.05, steps: 5, stepSize: 0.02 }).data());
  return { backend: tf.getBackend(), spectrum, gradient, alpha: ((history.history.spec_alpha as number[] | undefined) ?? [Number.NaN])[0], loss: (history.history.loss as number[])[0], weights, fgsm: fgsmResult, pgd: pgdResult };
}

type RitzSolve = 'auto' | 'host' | 'device';
(window as unknown as { runBackend: (backend: string, ritzSolve: RitzSolve) => Promise<unknown> }).runBackend = async (backend: string, ritzSolve: RitzSolve) => {
  try {
    return await run(backend, ritzSolve);
  } catch (error) {
    return { backend, error: `${stage}: ${error instanceof Error ? error.message : String(error)}` };
  }
};
