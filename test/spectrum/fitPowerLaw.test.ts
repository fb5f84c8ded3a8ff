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
