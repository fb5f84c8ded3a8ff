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
import { argument, C, D, H, median, N, shallowMlp, time } from './common';

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

const plain = shallowMlp(false);
const regularized = shallowMlp(true);
const inputs = [2, 3].map((seed) => tf.randomUniform([N, D], 0, 1, 'float32', seed));
const targets = [4, 5].map((seed) => tf.oneHot(tf.randomUniform([N], 0, C, 'int32', seed), C));
let turn = 0;
const step = (model: typeof plain) => async () => {
  const i = turn++ % 2;
  await model.trainOnBatch(inputs[i] as tf.Tensor, targets[i] as tf.Tensor);
};
await step(plain)();
await step(regularized)();
const plainTimes: number[] = [];
const regularizedTimes: number[] = [];
for (let r = 0; r < repeats; r++) {
  plainTimes.push(await time(step(plain), 1));
  regularizedTimes.push(await time(step(regularized), 1));
}
result.train_step_s = median(plainTimes);
result.train_step_regularized_s = median(regularizedTimes);
tf.dispose([...inputs, ...targets]);
plain.dispose();
regularized.dispose();

const model = shallowMlp();
const x = tf.randomUniform([1000, D], 0, 1, 'float32', 6);
const y = tf.randomUniform([1000], 0, C, 'int32', 7);
const attack = (steps: number) => () => {
  pgd(model, x, y, { epsilon: 0.05, stepSize: 0.01, steps }).dispose();
};
// Warmed up with 5 steps (the fewest that reach epsilon, so pgd does not warn): PGD-40 takes seconds per call.
result.pgd40_1000_s = await time(attack(40), Math.min(repeats, 3), attack(5));

console.log(JSON.stringify(result));
