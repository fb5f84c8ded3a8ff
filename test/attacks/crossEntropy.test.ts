import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { crossEntropy } from '../../src/attacks/attackCore';
import { directionalDerivatives, expectGradientMatches, gaussianMatrix } from '../helpers/oracles';

describe('cross-entropy from logits (custom gradient)', () => {
  const labels = tf.oneHot(tf.tensor1d([0, 2, 1, 3, 2], 'int32'), 4) as tf.Tensor2D;

  it('value and gradient equal the float64 formulas -log softmax_y and softmax - y', () => {
    const z = gaussianMatrix(5, 4, 3).map((r) => r.map((v) => 3 * v));
    const logits = tf.tensor2d(z);
    const value = crossEntropy(labels, logits, 'logits').dataSync();
    const gradient = tf.grad((l: tf.Tensor) => tf.sum(crossEntropy(labels, l as tf.Tensor2D, 'logits')))(logits).arraySync() as number[][];
    const y = labels.arraySync() as number[][];
    z.forEach((row, n) => {
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const total = e.reduce((a, b) => a + b, 0);
      const p = e.map((v) => v / total);
      const c = y[n]!.indexOf(1);
      expect(value[n]!).toBeCloseTo(-Math.log(p[c]!), 5);
      for (const [j, pc] of p.entries()) expect(gradient[n]![j]!).toBeCloseTo(pc - y[n]![j]!, 6);
    });
  });

  it('gradient matches central finite differences', () => {
    const logits = tf.tensor2d(gaussianMatrix(5, 4, 7));
    expectGradientMatches(
      directionalDerivatives((l) => tf.sum(crossEntropy(labels, l as tf.Tensor2D, 'logits')) as tf.Scalar, logits, 4, 1e-2, 9),
      1e-2,
    );
  });

  it('keeps the true class gradient when the softmax saturates (margin 40 nats)', () => {
    const logits = tf.tensor2d([[40, 0, 0, 0]]);
    const y = tf.oneHot(tf.tensor1d([0], 'int32'), 4) as tf.Tensor2D;
    const g = tf.grad((l: tf.Tensor) => tf.sum(crossEntropy(y, l as tf.Tensor2D, 'logits')))(logits).dataSync();
    const pc = Math.exp(-40) / (1 + 3 * Math.exp(-40));
    expect(g[0]! / (-3 * pc)).toBeCloseTo(1, 4);
    expect(g[1]! / pc).toBeCloseTo(1, 4);
    // Plain autodiff of logSoftmax loses it: p_y - 1 rounds to 0 in float32.
    const naive = tf.grad((l: tf.Tensor) => tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(l)))))(logits).dataSync();
    expect(naive[0]).toBe(0);
  });
});
