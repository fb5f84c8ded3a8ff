import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { fgsm, pgd, robustAccuracy } from '../../src/index';
import { readMnist } from '../../src/datasets/loadMnist';
import { expectNoLeak, gaussianMatrix, rng } from '../helpers/oracles';

const D = 20;
const C = 4;

/** A linear softmax classifier with known weights: logits = x W + b. */
function linearModel(seed: number, scale = 1) {
  const W = gaussianMatrix(D, C, seed).map((row) => row.map((v) => v * scale));
  const b = Array.from({ length: C }, (_, i) => 0.1 * i);
  const model = tfl.sequential({ layers: [tfl.layers.dense({ units: C, activation: 'softmax', inputShape: [D] })] });
  model.setWeights([tf.tensor2d(W), tf.tensor1d(b)]);
  return { model, W, b };
}

function inputs(n: number, seed: number): number[][] {
  const u = rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: D }, () => 0.1 + 0.8 * u()));
}

const labels = (n: number) => tf.tensor1d(Array.from({ length: n }, (_, i) => i % C), 'int32');

describe('fgsm', () => {
  it('equals the analytic solution on a linear softmax classifier', () => {
    const { model, W, b } = linearModel(1);
    const xs = inputs(16, 2);
    const ys = Array.from({ length: 16 }, (_, i) => i % C);
    const epsilon = 0.05;
    const got = fgsm(model, tf.tensor2d(xs), labels(16), { epsilon }).arraySync() as number[][];
    // d CE / dx = (softmax(z) - onehot(y)) W^T, in float64.
    xs.forEach((x, n) => {
      const z = Array.from({ length: C }, (_, c) => x.reduce((s, xi, i) => s + xi * W[i]![c]!, b[c]!));
      const zMax = Math.max(...z);
      const e = z.map((v) => Math.exp(v - zMax));
      const p = e.map((v) => v / e.reduce((a, c) => a + c, 0));
      x.forEach((xi, i) => {
        const g = p.reduce((s, pc, c) => s + (pc - (c === ys[n] ? 1 : 0)) * W[i]![c]!, 0);
        const expected = Math.min(1, Math.max(0, xi + epsilon * Math.sign(g)));
        expect(got[n]![i]!).toBeCloseTo(expected, 6);
      });
    });
  });

  it('epsilon 0 returns x exactly', () => {
    const { model } = linearModel(3);
    const x = tf.tensor2d(inputs(8, 4));
    for (const attack of [fgsm, pgd]) {
      expect(Array.from(attack(model, x, labels(8), { epsilon: 0 }).dataSync())).toEqual(Array.from(x.dataSync()));
    }
  });

  it('one-hot and integer labels give identical results', () => {
    const { model } = linearModel(5);
    const x = tf.tensor2d(inputs(12, 6));
    const a = fgsm(model, x, labels(12), { epsilon: 0.1 }).dataSync();
    const b = fgsm(model, x, tf.oneHot(labels(12), C), { epsilon: 0.1 }).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    const c = pgd(model, x, tf.oneHot(labels(12), C), { epsilon: 0.1, steps: 5 }).dataSync();
    const d = pgd(model, x, labels(12), { epsilon: 0.1, steps: 5 }).dataSync();
    expect(Array.from(c)).toEqual(Array.from(d));
  });

  it('saturated softmax outputs still get perturbed (loss on logits); a probabilities function shows the masking', () => {
    // Class 0's logit exceeds the others by about 30 nats: softmax rounds to exactly [1, 0, 0, 0] in float32.
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: C, activation: 'softmax', inputShape: [D] })] });
    model.setWeights([tf.tensor2d(Array.from({ length: D }, () => [3, 0, 0, 0])), tf.zeros([C])]);
    const x = tf.tensor2d(inputs(10, 8));
    const y = tf.zeros([10], 'int32');
    expect(Array.from(tf.max(model.predict(x) as tf.Tensor, 1).dataSync()).every((p) => p === 1)).toBe(true);
    const attacked = fgsm(model, x, y, { epsilon: 0.05 });
    expect(tf.max(tf.abs(tf.sub(attacked, x))).dataSync()[0]).toBeCloseTo(0.05, 6);
    // The same model as a function returning probabilities: Keras-style cross-entropy has a zero gradient.
    const masked = fgsm((input) => model.predict(input) as tf.Tensor, x, y, { epsilon: 0.05, outputs: 'probabilities' });
    expect(tf.max(tf.abs(tf.sub(masked, x))).dataSync()[0]).toBe(0);
  });

  it('a model function returning logits works like the LayersModel', () => {
    const { model, W, b } = linearModel(9);
    const x = tf.tensor2d(inputs(6, 10));
    const logits = (input: tf.Tensor) => tf.add(tf.matMul(input as tf.Tensor2D, tf.tensor2d(W)), tf.tensor1d(b));
    expect(Array.from(fgsm(logits, x, labels(6), { epsilon: 0.03 }).dataSync())).toEqual(Array.from(fgsm(model, x, labels(6), { epsilon: 0.03 }).dataSync()));
  });
});

describe('pgd', () => {
  it('one step with stepSize = epsilon equals FGSM', () => {
    const { model } = linearModel(11);
    const x = tf.tensor2d(inputs(10, 12));
    for (const norm of ['linf', 'l2'] as const) {
      const a = pgd(model, x, labels(10), { epsilon: 0.07, steps: 1, stepSize: 0.07, norm }).dataSync();
      const b = fgsm(model, x, labels(10), { epsilon: 0.07, norm }).dataSync();
      expect(Array.from(a)).toEqual(Array.from(b));
    }
  });

  it('stays within epsilon of x (L-inf and L2) and within clip', () => {
    const { model } = linearModel(13);
    const x = tf.tensor2d(inputs(20, 14));
    const cases = [
      { norm: 'linf' as const, epsilon: 0.05, stepSize: 0.02 },
      { norm: 'l2' as const, epsilon: 0.3, stepSize: 0.1 },
    ];
    for (const o of cases) {
      for (const randomStart of [false, true]) {
        const adv = pgd(model, x, labels(20), { ...o, steps: 10, randomStart, restarts: randomStart ? 2 : 1 });
        const delta = tf.sub(adv, x);
        const distance = o.norm === 'linf' ? tf.max(tf.abs(delta), 1) : tf.norm(delta, 'euclidean', 1);
        expect(tf.max(distance).dataSync()[0]!).toBeLessThanOrEqual(o.epsilon * (1 + 1e-5));
        expect(tf.min(adv).dataSync()[0]!).toBeGreaterThanOrEqual(0);
        expect(tf.max(adv).dataSync()[0]!).toBeLessThanOrEqual(1);
      }
    }
    const noClip = pgd(model, tf.sub(x, 5), labels(20), { epsilon: 0.1, clip: null, steps: 3 });
    expect(tf.min(noClip).dataSync()[0]!).toBeLessThan(0);
  });

  it('a targeted attack raises the target probability', () => {
    const { model } = linearModel(15);
    const x = tf.tensor2d(inputs(16, 16));
    const target = tf.tensor1d(Array.from({ length: 16 }, () => 2), 'int32');
    const before = tf.mean(tf.gather(model.predict(x) as tf.Tensor, 2, 1)).dataSync()[0]!;
    const adv = pgd(model, x, target, { epsilon: 0.1, targeted: true, steps: 10 });
    const after = tf.mean(tf.gather(model.predict(adv) as tf.Tensor, 2, 1)).dataSync()[0]!;
    expect(after).toBeGreaterThan(before + 0.1);
  });

  it('restarts keep the best run per input: never worse than the single run from x', () => {
    const { model } = linearModel(17);
    const x = tf.tensor2d(inputs(30, 18));
    const y = labels(30);
    const ce = (adv: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.oneHot(y, C), tf.log(model.predict(adv) as tf.Tensor), undefined, 0, tf.Reduction.NONE).dataSync();
    const single = ce(pgd(model, x, y, { epsilon: 0.05, steps: 5 }));
    const restarted = ce(pgd(model, x, y, { epsilon: 0.05, steps: 5, restarts: 4 }));
    for (const [i, loss] of single.entries()) expect(restarted[i]!).toBeGreaterThanOrEqual(loss - 1e-5);
  });

  it('random starts are repeatable with the default seed (0)', () => {
    const { model } = linearModel(23);
    const x = tf.tensor2d(inputs(10, 24));
    const run = () => Array.from(pgd(model, x, labels(10), { epsilon: 0.05, steps: 2, randomStart: true, restarts: 2 }).dataSync());
    expect(run()).toEqual(run());
    const l2 = () => Array.from(pgd(model, x, labels(10), { epsilon: 0.5, norm: 'l2', steps: 1, randomStart: true }).dataSync());
    expect(l2()).toEqual(l2());
  });

  it('batchSize chunks give the same result as one batch', () => {
    const { model } = linearModel(19);
    const x = tf.tensor2d(inputs(25, 20));
    const whole = pgd(model, x, labels(25), { epsilon: 0.05, steps: 4 }).dataSync();
    const chunked = pgd(model, x, labels(25), { epsilon: 0.05, steps: 4, batchSize: 7 }).dataSync();
    expect(Array.from(chunked)).toEqual(Array.from(whole));
  });

  it('runs dropout models in inference mode and never changes the weights; no tensor leak', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 16, activation: 'tanh', inputShape: [D] }),
        tfl.layers.dropout({ rate: 0.5 }),
        tfl.layers.dense({ units: C, activation: 'softmax' }),
      ],
    });
    const x = tf.tensor2d(inputs(12, 21));
    const y = labels(12);
    const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
    // Deterministic: dropout would make two runs differ.
    expect(Array.from(pgd(model, x, y, { epsilon: 0.05, steps: 3 }).dataSync())).toEqual(Array.from(pgd(model, x, y, { epsilon: 0.05, steps: 3 }).dataSync()));
    await expectNoLeak(async () => {
      for (let i = 0; i < 5; i++) {
        fgsm(model, x, y, { epsilon: 0.05 }).dispose();
        pgd(model, x, y, { epsilon: 0.05, steps: 3, randomStart: true, restarts: 2, batchSize: 5 }).dispose();
        pgd(model, x, y, { epsilon: 0.5, steps: 2, norm: 'l2' }).dispose();
      }
      await robustAccuracy(model, x, y, { attack: 'pgd', epsilons: [0, 0.1], steps: 2, batchSize: 5 });
    });
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(weights);
  });
});

describe('on a trained MLP (real MNIST)', () => {
  let model: tfl.Sequential;
  let x: tf.Tensor;
  let y: tf.Tensor;
  beforeAll(async () => {
    const { train, test } = await readMnist({ trainLimit: 2000, testLimit: 300 });
    model = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 64, activation: 'tanh', inputShape: [784], kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
        tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(3e-3), loss: 'sparseCategoricalCrossentropy' });
    await model.fit(tf.tensor2d(train.images, [2000, 784]), tf.tensor1d(Array.from(train.labels)), { epochs: 5, batchSize: 100, verbose: 0, shuffle: false });
    x = tf.tensor2d(test.images, [300, 784]);
    y = tf.tensor1d(Array.from(test.labels), 'int32');
  });

  it('accuracy falls as epsilon grows, and PGD is at least as strong as FGSM', async () => {
    const epsilons = [0, 0.02, 0.05, 0.1];
    const fgsmCurve = await robustAccuracy(model, x, y, { attack: 'fgsm', epsilons });
    const pgdCurve = await robustAccuracy(model, x, y, { attack: 'pgd', epsilons, batchSize: 150 });
    expect(fgsmCurve[0]!.accuracy).toBeGreaterThan(0.8);
    expect(pgdCurve[0]!.accuracy).toBe(fgsmCurve[0]!.accuracy);
    for (let i = 1; i < epsilons.length; i++) {
      expect(fgsmCurve[i]!.accuracy).toBeLessThan(fgsmCurve[i - 1]!.accuracy);
      expect(pgdCurve[i]!.accuracy).toBeLessThan(pgdCurve[i - 1]!.accuracy);
      expect(pgdCurve[i]!.accuracy).toBeLessThanOrEqual(fgsmCurve[i]!.accuracy);
    }
    expect(pgdCurve.at(-1)!.accuracy).toBeLessThan(0.2);
  });

  it('robustAccuracy reports progress and matches fgsm + predict', async () => {
    const seen: number[] = [];
    const [point] = await robustAccuracy(model, x, y, { attack: 'fgsm', epsilons: [0.05], batchSize: 100, onProgress: (p) => seen.push(p.fraction) });
    expect(seen).toEqual([1 / 3, 2 / 3, 1]);
    const adv = fgsm(model, x, y, { epsilon: 0.05 });
    const direct = tf.mean(tf.cast(tf.equal(tf.argMax(model.predict(adv) as tf.Tensor, 1), y), 'float32')).dataSync()[0]!;
    expect(point!.accuracy).toBeCloseTo(direct, 6);
  });
});
