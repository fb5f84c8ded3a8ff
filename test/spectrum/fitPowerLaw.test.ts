import { describe, expect, it } from 'vitest';
import { fitPowerLaw } from '../../src/index';
import stringer from '../fixtures/stringer-v1-spectrum.json';

describe('fitPowerLaw', () => {
  it('recovers an exact power law: alpha, intercept and r2 = 1', () => {
    const spectrum = Array.from({ length: 100 }, (_, i) => 3 * (i + 1) ** -2.5);
    const fit = fitPowerLaw(spectrum, { range: [0, 100], epsilon: 0 });
    expect(fit.alpha).toBeCloseTo(2.5, 12);
    expect(fit.intercept).toBeCloseTo(Math.log(3), 12);
    expect(fit.r2).toBeCloseTo(1, 12);
  });

  it('range [start, end) is 0-based and half-open: [0, 10] is ranks 1..10', () => {
    // A spectrum that is a power law on ranks 1..10 and flat after: only the slice counts.
    const spectrum = Array.from({ length: 30 }, (_, i) => (i < 10 ? (i + 1) ** -2 : 0.5));
    expect(fitPowerLaw(spectrum).alpha).toBeCloseTo(2, 6);
    expect(fitPowerLaw(spectrum, { range: [10, 30] }).alpha).toBeCloseTo(0, 6);
  });

  it('matches a hand computation of the least-squares slope (paper Eq. 4)', () => {
    const spectrum = [1, 0.4, 0.3, 0.05];
    const x = [1, 2, 3, 4].map(Math.log);
    const y = spectrum.map((v) => Math.log(v + 1e-8));
    const mx = x.reduce((a, b) => a + b) / 4;
    const my = y.reduce((a, b) => a + b) / 4;
    const slope =
      x.reduce((s, xi, i) => s + (xi - mx) * (y[i]! - my), 0) / x.reduce((s, xi) => s + (xi - mx) ** 2, 0);
    expect(fitPowerLaw(spectrum, { range: [0, 4] }).alpha).toBeCloseTo(-slope, 12);
  });

  it('real data: mouse V1 (Stringer et al. 2019) over ranks 11..500 gives alpha near 1', () => {
    const fit = fitPowerLaw(stringer.eigenvalues, { range: [10, 500] });
    expect(fit.alpha).toBeGreaterThan(0.9);
    expect(fit.alpha).toBeLessThan(1.1);
    expect(Math.abs(fit.alpha - stringer.reportedAlphaInSource)).toBeLessThan(0.05);
    expect(fit.r2).toBeGreaterThan(0.95);
  });

  it("weighting 'inverse-rank' is Stringer et al.'s estimator: it gives their alpha for ranks 12..500 of mouse V1", () => {
    // Their get_powerlaw fits 0-based indices 11..499 with weights 1/n; the source prints 0.97336.
    const fit = fitPowerLaw(stringer.eigenvalues, { range: [11, 500], weighting: 'inverse-rank', epsilon: 0 });
    expect(fit.alpha).toBeCloseTo(stringer.reportedAlphaInSource, 6);
    expect(fitPowerLaw(stringer.eigenvalues, { range: [11, 500], epsilon: 0 }).alpha).toBeGreaterThan(fit.alpha + 0.01);
  });

  it('every weighting recovers an exact power law, and weights change the fit of a noisy one as Cramer solves it', () => {
    const exact = Array.from({ length: 40 }, (_, i) => 3 * (i + 1) ** -2.5);
    for (const weighting of ['uniform', 'log-spacing', 'inverse-rank'] as const) {
      const fit = fitPowerLaw(exact, { range: [0, 40], weighting, epsilon: 0 });
      expect(fit.alpha).toBeCloseTo(2.5, 10);
      expect(fit.intercept).toBeCloseTo(Math.log(3), 10);
      expect(fit.r2).toBeCloseTo(1, 10);
    }
    // Three noisy points, log-spacing weights: the weighted normal equations by Cramer's rule.
    const values = [1, 0.3, 0.2];
    const w = [1, 2, 3].map((n) => Math.log10(n + 1) - Math.log10(n));
    const x = [1, 2, 3].map(Math.log);
    const y = values.map(Math.log);
    const s = (f: (i: number) => number) => f(0) + f(1) + f(2);
    const [a, b, c, d] = [s((i) => w[i]!), s((i) => w[i]! * x[i]!), s((i) => w[i]! * x[i]! * x[i]!), s((i) => w[i]! * y[i]!)];
    const e = s((i) => w[i]! * x[i]! * y[i]!);
    const slope = (a * e - b * d) / (a * c - b * b);
    expect(fitPowerLaw(values, { range: [0, 3], weighting: 'log-spacing', epsilon: 0 }).alpha).toBeCloseTo(-slope, 12);
  });

  it('floors negatives and zeros like the loss: max(lambda, 0) + epsilon', () => {
    const fit = fitPowerLaw([1, 0.5, 0, -1e-9], { range: [0, 4] });
    expect(Number.isFinite(fit.alpha)).toBe(true);
    const manual = fitPowerLaw([1, 0.5, 1e-8, 1e-8], { range: [0, 4], epsilon: 0 });
    expect(fit.alpha).toBeCloseTo(manual.alpha, 6);
  });

  it('accepts typed arrays', () => {
    const spectrum = Float32Array.from({ length: 20 }, (_, i) => (i + 1) ** -1);
    expect(fitPowerLaw(spectrum, { range: [0, 20] }).alpha).toBeCloseTo(1, 5);
  });
});
