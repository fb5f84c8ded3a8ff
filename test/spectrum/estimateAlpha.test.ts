import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { estimateAlpha, fitPowerLaw } from '../../src/index';
import { activationsWithSpectrum, expectNoLeak, gaussianMatrix, powerLawSamples } from '../helpers/oracles';

describe('estimateAlpha', () => {
  for (const alpha of [0.5, 1, 1.5, 2, 2.5, 3]) {
    it(`recovers alpha = ${alpha} within 0.1 from sampled power-law activations`, async () => {
      const samples = powerLawSamples(3000, 60, alpha, Math.round(alpha * 10));
      const estimate = await estimateAlpha(tf.tensor2d(samples));
      expect(Math.abs(estimate.alpha - alpha)).toBeLessThan(0.1);
      expect(estimate.r2).toBeGreaterThan(0.97);
    });
  }

  it('recovers a constructed spectrum exactly (analytic case), also from number[][]', async () => {
    const lambdas = Array.from({ length: 30 }, (_, i) => (i + 1) ** -1.7);
    const rows = activationsWithSpectrum(200, lambdas, 11);
    const estimate = await estimateAlpha(rows, { range: [0, 30] });
    expect(estimate.alpha).toBeCloseTo(1.7, 3);
    expect(estimate.range).toEqual([0, 30]);
    expect(estimate.spectrum.length).toBe(30);
    const total = lambdas.reduce((a, b) => a + b, 0);
    expect(estimate.spectrum[0]).toBeCloseTo(lambdas[0]! / total, 5);
  });

  it('a number[][] is centred in float64 first: a large offset changes nothing, and values beyond float32 are named', async () => {
    const lambdas = Array.from({ length: 30 }, (_, i) => (i + 1) ** -1.7);
    const rows = activationsWithSpectrum(200, lambdas, 12);
    const plain = await estimateAlpha(rows, { range: [0, 30] });
    // 1e5 + values of order 0.1: rounded to float32 whole, the variation keeps about 3 digits.
    const offset = await estimateAlpha(rows.map((row) => row.map((v) => v + 1e5)), { range: [0, 30] });
    expect(offset.alpha).toBeCloseTo(plain.alpha, 4);
    const huge = rows.map((row, i) => row.map((v, j) => (i === 0 && j === 1 ? 1e39 : v)));
    await expect(estimateAlpha(huge)).rejects.toThrow(
      new RangeError(`estimateAlpha: activations[0][1] = 1e+39 is beyond float32's range (about 3.4e38) after centring the columns`),
    );
  });

  it('returns the spectrum it fitted: refitting it gives the same alpha', async () => {
    const estimate = await estimateAlpha(tf.tensor2d(gaussianMatrix(100, 40, 1)), { range: [2, 20] });
    expect(fitPowerLaw(estimate.spectrum, { range: [2, 20] }).alpha).toBeCloseTo(estimate.alpha, 10);
  });

  it("method 'subspace' returns only the leading range[1] values and agrees with exact", async () => {
    const x = tf.tensor2d(powerLawSamples(800, 200, 2, 4));
    const exact = await estimateAlpha(x);
    const subspace = await estimateAlpha(x, { method: 'subspace' });
    expect(subspace.spectrum.length).toBe(10);
    expect(Math.abs(subspace.alpha - exact.alpha)).toBeLessThan(1e-2);
  });

  it('does not leak tensors, for tensors and for arrays', async () => {
    const x = tf.tensor2d(gaussianMatrix(50, 20, 2));
    await estimateAlpha(x);
    await expectNoLeak(async () => {
      await estimateAlpha(x);
      await estimateAlpha(gaussianMatrix(50, 20, 3));
      await estimateAlpha(x, { method: 'subspace', range: [0, 4] });
    });
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });
});
