/**
 * What the bench's parent process and its threads children share: the
 * paper's shallow-MLP sizes, argument parsing, and the median timer.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
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
