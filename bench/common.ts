/**
 * What the bench's parent process and its threads children share: the
 * paper's models and sizes, argument parsing, the median timer, and the
 * wait for a result's device work.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildModel } from '../examples/experiment/models';
import { syncReadsAreReliable } from '../src/internal/backendReads';
import { spectralRegularizer } from '../src/index';

export const N = 1500;
export const D = 784;
export const H = 2000;
export const C = 10;

export function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Median wall time in seconds of `fn` after one warm-up call (of `warmUp`, by default fn); fn must finish its device work. */
export async function time(fn: () => void | Promise<void>, repeats: number, warmUp: () => void | Promise<void> = fn): Promise<number> {
  await warmUp();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await fn();
    samples.push((performance.now() - start) / 1000);
  }
  return median(samples);
}

/** The paper's shallow MLP, optionally with SpectralRegularizer (range [0, 10]) after the hidden layer. */
export function shallowMlp(regularized = false): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: H, activation: 'tanh', inputShape: [D] }),
      ...(regularized ? [spectralRegularizer({ targetAlpha: 3, strength: 1, range: [0, 10] })] : []),
      tfl.layers.dense({ units: C, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-4), loss: 'categoricalCrossentropy' });
  return model;
}

/** The paper's MNIST CNN (examples/experiment/models.ts), without the regulariser. */
export function paperCnn(): tfl.Sequential {
  const model = buildModel('cnn', [28, 28, 1], C, null, 0);
  model.compile({ optimizer: tf.train.adam(1e-4), loss: 'categoricalCrossentropy' });
  return model;
}

/**
 * Waits for the work behind a result and frees it. On wasm, cpu and
 * tensorflow the work is done when the op returns; webgpu only queues it,
 * and only a read waits for it (asynchronously: a synchronous one cannot work there).
 */
export async function finish(result: tf.Tensor): Promise<void> {
  if (!syncReadsAreReliable()) await result.data();
  result.dispose();
}

/**
 * Median seconds of one training step of the shallow MLP without and with
 * SpectralRegularizer, at `batch`, on two alternating batches. The steps are
 * interleaved so that both models see the same machine state; trainOnBatch
 * reads the loss back asynchronously, so queued webgpu work is counted.
 */
export async function shallowStepTimes(batch: number, repeats: number): Promise<{ plain: number; regularized: number }> {
  const plain = shallowMlp(false);
  const regularized = shallowMlp(true);
  const inputs = [2, 3].map((seed) => tf.randomUniform([batch, D], 0, 1, 'float32', seed));
  const targets = [4, 5].map((seed) => tf.oneHot(tf.randomUniform([batch], 0, C, 'int32', seed), C));
  try {
    let turn = 0;
    const step = (model: tfl.LayersModel) => async () => {
      const i = turn++ % 2;
      await model.trainOnBatch(inputs[i] as tf.Tensor, targets[i] as tf.Tensor);
    };
    await step(plain)();
    await step(regularized)();
    const plainTimes: number[] = [];
    const regularizedTimes: number[] = [];
    const warm = () => undefined;
    for (let r = 0; r < repeats; r++) {
      plainTimes.push(await time(step(plain), 1, warm));
      regularizedTimes.push(await time(step(regularized), 1, warm));
    }
    return { plain: median(plainTimes), regularized: median(regularizedTimes) };
  } finally {
    tf.dispose([...inputs, ...targets]);
    plain.dispose();
    regularized.dispose();
  }
}
