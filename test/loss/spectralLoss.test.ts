import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { fitPowerLaw, spectralAlpha, spectralLoss, SubspaceState, type SpectralLossMode } from '../../src/index';
import lapack from '../fixtures/lapack-spectra.json';
import { directionalDerivatives, expectGradientMatches, expectNoLeak, gaussianMatrix, powerLawSamples } from '../helpers/oracles';

const fixture = lapack.cases[0]!;
/** Normalised, floored LAPACK spectrum of the fixture: the oracle the loss formulas are evaluated on. */
const oracleSpectrum = fixture.eigenvalues.map((v) => Math.max(v / fixture.trace, 0) + 1e-8);

/** Float64 re-statements of the three penalties, written from the reference notes. */
const oracle: Record<SpectralLossMode, (target: number, start: number, end: number) => number> = {
  slope: (target, start, end) => Math.abs(fitPowerLaw(oracleSpectrum, { range: [start, end], epsilon: 0 }).alpha - target),
  'fixed-slope': (target, start, end) => {
    let wSum = 0;
    let t = 0;
    const rows: Array<[number, number, number]> = [];
    for (let n = start + 1; n <= end; n++) {
      const w = Math.log10(n + 1) - Math.log10(n);
      rows.push([w, Math.log10(n), Math.log10(oracleSpectrum[n - 1]!)]);
      wSum += w;
    }
    for (const [w, x, y] of rows) t += (w * (y + target * x)) / wSum;
    return rows.reduce((s, [w, x, y]) => s + (w * (-target * x + t - y) ** 2) / wSum, 0);
  },
  nassar: (target, start, end) => {
    const anchor = oracleSpectrum[start]!;
    let s = 0;
    for (let n = start + 1; n <= end; n++) {
      const ratio = oracleSpectrum[n - 1]! / (anchor * ((start + 1) / n) ** target);
      s += (ratio - 1) ** 2 + Math.max(ratio - 1, 0);
    }
    return s / (end + 1);
  },
};

const modes: SpectralLossMode[] = ['slope', 'fixed-slope', 'nassar'];

describe('spectralLoss values against float64 oracles on the LAPACK spectrum', () => {
  const x = () => tf.tensor2d(fixture.activations);
  for (const mode of modes) {
    for (const [target, range] of [
      [1, [0, 10]],
      [3, [0, 10]],
      [2, [5, 40]],
    ] as Array<[number, [number, number]]>) {
      it(`${mode}, targetAlpha ${target}, range [${range}]`, () => {
        const got = spectralLoss(x(), { targetAlpha: target, strength: 0.7, range, mode, method: 'exact' }).dataSync()[0]!;
        const expected = 0.7 * oracle[mode](target, range[0], range[1]);
        expect(Math.abs(got - expected)).toBeLessThan(1e-4 * Math.max(1, Math.abs(expected)));
      });
    }
  }

  it('strength 0 gives 0 and the loss is linear in strength', () => {
    const a = spectralLoss(x(), { targetAlpha: 2, strength: 0 }).dataSync()[0];
    const b = spectralLoss(x(), { targetAlpha: 2, strength: 1 }).dataSync()[0]!;
    const c = spectralLoss(x(), { targetAlpha: 2, strength: 2.5 }).dataSync()[0]!;
    expect(a).toBe(0);
    expect(c).toBeCloseTo(2.5 * b, 5);
  });

  it('spectralAlpha equals fitPowerLaw on the same spectrum', () => {
    const alpha = spectralAlpha(x(), { range: [0, 10], method: 'exact' }).dataSync()[0]!;
    expect(alpha).toBeCloseTo(fitPowerLaw(oracleSpectrum, { epsilon: 0 }).alpha, 4);
  });
});

describe('gradients against central finite differences', () => {
  // Small problems keep float32 finite differences accurate: h = 1e-2 on O(1) activations.
  const shapes: Array<[string, number, number]> = [
    ['covariance side (N > f)', 40, 16],
    ['Gram side (N < f)', 14, 30],
  ];
  for (const [side, n, f] of shapes) {
    for (const [method, ritzSolve] of [['exact', 'host'], ['subspace', 'host'], ['subspace', 'device']] as const) {
      for (const mode of modes) {
        it(`${mode}, ${method}${method === 'subspace' ? ` (${ritzSolve} solve)` : ''}, ${side}`, () => {
          const x = tf.tensor2d(powerLawSamples(n, f, 1.2, n + f));
          const range: [number, number] = [1, 8];
          const loss = (a: tf.Tensor) =>
            spectralLoss(a, { targetAlpha: 2, mode, method, ritzSolve, range, oversampling: 8, coldStartIterations: 60, tolerance: 1e-7 });
          expectGradientMatches(directionalDerivatives(loss, x, 4, 1e-2, 17), 1e-2);
        });
      }
    }
  }

  it('spectralAlpha gradient matches finite differences', () => {
    const x = tf.tensor2d(powerLawSamples(40, 16, 1, 3));
    expectGradientMatches(directionalDerivatives((a) => spectralAlpha(a, { range: [0, 8], method: 'exact' }), x, 4, 1e-2, 5), 1e-2);
  });

  it('gradient descent on the slope loss moves alpha to the target', () => {
    const x = tf.variable(tf.tensor2d(gaussianMatrix(80, 30, 8)));
    const optimizer = tf.train.adam(0.05);
    const before = spectralAlpha(x, { method: 'exact' }).dataSync()[0]!;
    for (let i = 0; i < 150; i++) {
      optimizer.minimize(() => spectralLoss(x, { targetAlpha: 2, method: 'exact' }));
    }
    const after = spectralAlpha(x, { method: 'exact' }).dataSync()[0]!;
    expect(Math.abs(before - 2)).toBeGreaterThan(1);
    expect(Math.abs(after - 2)).toBeLessThan(0.1);
    x.dispose();
    optimizer.dispose();
  });
});

describe('spectralLoss: memory and warm start', () => {
  for (const mode of modes) {
    it(`${mode}: no tensor leak over repeated loss + gradient calls`, async () => {
      const x = tf.tensor2d(gaussianMatrix(120, 50, 4));
      const state = new SubspaceState();
      const step = () => {
        const { value, grads } = tf.variableGrads(() => spectralLoss(v, { targetAlpha: 1.5, mode, method: 'subspace', state }), [v]);
        value.dispose();
        tf.dispose(grads);
      };
      const v = tf.variable(x);
      step();
      await expectNoLeak(() => {
        for (let i = 0; i < 5; i++) step();
      });
      state.dispose();
      v.dispose();
      x.dispose();
    });
  }
});

describe('device residency of the subspace path', () => {
  it('loss + gradient read back nothing larger than the two b x b Rayleigh-Ritz matrices', () => {
    const x = tf.tensor2d(gaussianMatrix(200, 150, 6));
    const state = new SubspaceState();
    const backend = tf.backend() as unknown as { readSync: (id: object) => unknown };
    const original = backend.readSync.bind(backend);
    const sizes: number[] = [];
    backend.readSync = (dataId: object) => {
      const values = original(dataId) as ArrayLike<number>;
      sizes.push(values.length);
      return values;
    };
    try {
      for (let i = 0; i < 3; i++) {
        const g = tf.grad((a: tf.Tensor) => spectralLoss(a, { targetAlpha: 2, method: 'subspace', state }))(x);
        g.dispose();
      }
    } finally {
      backend.readSync = original;
    }
    const b = 10 + 10;
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2 * b * b);
    state.dispose();
    x.dispose();
  });

  it("ritzSolve 'device': loss + gradient, cold and warm, read nothing back at all", () => {
    const x = tf.tensor2d(gaussianMatrix(200, 150, 6));
    const state = new SubspaceState();
    // Every dataSync / arraySync goes through the engine's readSync.
    let reads = 0;
    const engine = tf.engine() as unknown as { readSync: (id: object) => unknown };
    const engineRead = engine.readSync.bind(engine);
    engine.readSync = (dataId: object) => {
      reads++;
      return engineRead(dataId);
    };
    try {
      for (let i = 0; i < 3; i++) {
        tf.grad((a: tf.Tensor) => spectralLoss(a, { targetAlpha: 2, method: 'subspace', ritzSolve: 'device', state }))(x).dispose();
      }
    } finally {
      engine.readSync = engineRead;
    }
    expect(reads).toBe(0);
    state.dispose();
    x.dispose();
  });

  it('spectralAlpha leaks no tensors', async () => {
    const x = tf.tensor2d(gaussianMatrix(60, 30, 2));
    await expectNoLeak(() => {
      for (let i = 0; i < 3; i++) {
        spectralAlpha(x).dispose();
        tf.grad((a: tf.Tensor) => spectralAlpha(a, { method: 'subspace' }))(x).dispose();
      }
    });
    x.dispose();
  });
});
