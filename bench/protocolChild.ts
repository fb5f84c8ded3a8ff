/**
 * One process of the bench's protocol suite: `--backend B [--threads N]
 * --repeats R --batch 1500 --cnn-batch 6000 --pgd-inputs 10000 --pgd-steps 40`.
 * Sets up backend B through setupNodeBackend (wasm on N threads, every core
 * by default) and prints, as its last line, a JSON object with the medians of
 *   - the shallow-MLP training step, plain and with SpectralRegularizer, at
 *     --batch (interleaved on two alternating batches, as in the spectral suite);
 *   - the paper's CNN training step at --cnn-batch (the authors' batch size);
 *   - PGD (epsilon 0.05, step 0.01, --pgd-steps steps) on --pgd-inputs inputs
 *     through the shallow MLP, in one pgd call.
 * A figure that fails (out of memory, say) is recorded as null with its
 * error in `errors`, and the others are still measured.
 */
import * as tf from '@tensorflow/tfjs-core';
import { pgd } from '../src/index';
import { type NodeBackendChoice, nodeBackendInfo, setupNodeBackend } from '../src/node/index';
import { argument, C, D, finish, paperCnn, shallowMlp, shallowStepTimes, time } from './common';

const backend = argument('backend', 'wasm') as NodeBackendChoice;
const repeats = Number(argument('repeats', '3'));
const batch = Number(argument('batch', '1500'));
const cnnBatch = Number(argument('cnn-batch', '6000'));
const pgdInputs = Number(argument('pgd-inputs', '10000'));
const pgdSteps = Number(argument('pgd-steps', '40'));
const threads = argument('threads', '');

await setupNodeBackend({ backend, ...(threads ? { threads: Number(threads) } : {}), quiet: true });
const info = nodeBackendInfo();
const result: Record<string, number | string | null | Record<string, string>> = {
  backend: info?.backend ?? backend,
  threads: info?.threads ?? null,
  message: info?.message ?? '',
  batch,
  cnn_batch: cnnBatch,
  pgd_inputs: pgdInputs,
  pgd_steps: pgdSteps,
};
const errors: Record<string, string> = {};

/** Runs one figure; a failure is recorded and leaves the others to run. */
async function figure(keys: string[], measure: () => Promise<number[]>): Promise<void> {
  try {
    const values = await measure();
    for (const [i, key] of keys.entries()) result[key] = values[i] as number;
  } catch (error) {
    for (const key of keys) result[key] = null;
    errors[keys.join(',')] = error instanceof Error ? error.message : String(error);
  }
}

await figure(['train_step_s', 'train_step_regularized_s'], async () => {
  const steps = await shallowStepTimes(batch, repeats);
  return [steps.plain, steps.regularized];
});

await figure(['cnn_step_s'], async () => {
  const images = tf.randomUniform([cnnBatch, 28, 28, 1], 0, 1, 'float32', 10);
  const labels = tf.oneHot(tf.randomUniform([cnnBatch], 0, C, 'int32', 11), C);
  const cnn = paperCnn();
  try {
    return [
      await time(async () => {
        await cnn.trainOnBatch(images, labels);
      }, repeats),
    ];
  } finally {
    tf.dispose([images, labels]);
    cnn.dispose();
  }
});

await figure(['pgd_s'], async () => {
  const model = shallowMlp();
  const x = tf.randomUniform([pgdInputs, D], 0, 1, 'float32', 6);
  const y = tf.randomUniform([pgdInputs], 0, C, 'int32', 7);
  const attack = (steps: number) => () => finish(pgd(model, x, y, { epsilon: 0.05, stepSize: 0.01, steps }));
  try {
    // Warmed up with 5 steps (the fewest that reach epsilon, so pgd does not warn).
    return [await time(attack(pgdSteps), repeats, attack(Math.min(5, pgdSteps)))];
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
});

result.errors = errors;
console.log(JSON.stringify(result));
