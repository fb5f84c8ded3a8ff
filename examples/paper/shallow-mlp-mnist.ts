/**
 * The paper's first setup, written out in full with the public API:
 * Flatten -> Dense(2000, tanh) -> SpectralRegularizer -> Dense(10, softmax)
 * on MNIST, Adam 1e-4, batch 1500, 50 epochs; then alpha on test images
 * and FGSM/PGD robustness at the paper's epsilon 0.05.
 *
 *   npx tsx examples/paper/shallow-mlp-mnist.ts [targetAlpha] [beta] [epochs]
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { measureAlpha, robustAccuracy, spectralHistory, spectralRegularizer } from '../../src/index';
import { setupNodeBackend } from '../../src/node/index';
import { loadMnist } from '../../src/datasets/index';

const [targetAlpha = 3, strength = 1, epochs = 50] = process.argv.slice(2).map(Number);

await setupNodeBackend();
const { train, test } = await loadMnist();
const xTrain = train.x;
const yTrain = tf.oneHot(train.y, 10);
const xTest = test.x;
const yTest = test.y;

const model = tfl.sequential({
  layers: [
    tfl.layers.flatten({ inputShape: [28, 28, 1] }),
    tfl.layers.dense({ units: 2000, activation: 'tanh', name: 'hidden' }),
    spectralRegularizer({ targetAlpha, strength, range: [0, 10], name: 'spectral' }),
    tfl.layers.dense({ units: 10, activation: 'softmax' }),
  ],
});
model.compile({ optimizer: tf.train.adam(1e-4), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

const history = await model.fit(xTrain, yTrain, {
  epochs,
  batchSize: 1500,
  validationData: [xTest, tf.oneHot(yTest, 10)],
  callbacks: [spectralHistory({ onEpoch: ([r]) => r && console.log(`epoch ${r.epoch + 1}: alpha ${r.alpha.toFixed(2)}`) })],
  verbose: 0,
});
const [hidden] = await measureAlpha(model, tf.slice(xTest, 0, 2000), { layers: ['hidden'] });
const xAttack = tf.slice(xTest, 0, 1000);
const yAttack = tf.slice(yTest, 0, 1000);
const fgsm = await robustAccuracy(model, xAttack, yAttack, { attack: 'fgsm', epsilons: [0.05] });
const pgd = await robustAccuracy(model, xAttack, yAttack, { attack: 'pgd', epsilons: [0.05] });
console.log({
  targetAlpha,
  strength,
  measuredAlpha: hidden?.alpha,
  valAccuracy: (history.history.val_acc as number[]).at(-1),
  fgsmAccuracy: fgsm[0]?.accuracy,
  pgdAccuracy: pgd[0]?.accuracy,
});
