/**
 * One process of the bench's threads suite (tfjs initialises wasm once per
 * process): `--threads N --repeats R`. Sets up wasm on N threads and prints,
 * as its last line, a JSON object with the medians of
 *   - a 1500 x 784 by 784 x 2000 matMul;
 *   - the shallow-MLP training step, plain and with SpectralRegularizer
 *     (interleaved, on two alternating batches, as in the spectral suite);
 *   - PGD-40 (epsilon 0.05, step 0.01) on 1000 inputs in one pgd call.
 */
import * as tf from '@tensorflow/tfjs-core';
import { pgd } from '../src/index';
import { nodeBackendInfo, setupNodeBackend } from '../src/node/index';
import { argument, C, D, H, N, shallowMlp, shallowStepTimes, time } from './common';

const repeats = Number(argument('repeats', '5'));
await setupNodeBackend({ backend: 'wasm', threads: Number(argument('threads', '1')), quiet: true });
const info = nodeBackendInfo();
const result: Record<string, number | string> = { threads: info?.threads ?? 1, message: info?.message ?? '' };

const a = tf.randomNormal([N, 784], 0, 1, 'float32', 1);
const b = tf.randomNormal([784, H], 0, 1, 'float32', 2);
result.matmul_s = await time(() => {
  tf.matMul(a, b).dataSync();
}, repeats);
tf.dispose([a, b]);

const steps = await shallowStepTimes(N, repeats);
result.train_step_s = steps.plain;
result.train_step_regularized_s = steps.regularized;

const model = shallowMlp();
const x = tf.randomUniform([1000, D], 0, 1, 'float32', 6);
const y = tf.randomUniform([1000], 0, C, 'int32', 7);
const attack = (steps: number) => () => {
  pgd(model, x, y, { epsilon: 0.05, stepSize: 0.01, steps }).dispose();
};
// Warmed up with 5 steps (the fewest that reach epsilon, so pgd does not warn): PGD-40 takes seconds per call.
result.pgd40_1000_s = await time(attack(40), Math.min(repeats, 3), attack(5));

console.log(JSON.stringify(result));
