import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { eigenspectrum, SubspaceState } from '../../src/index';
import lapack from '../fixtures/lapack-spectra.json';
import {
  activationsWithSpectrum,
  directionalDerivatives,
  expectGradientMatches,
  expectNoLeak,
  gaussianMatrix,
  powerLawSamples,
} from '../helpers/oracles';

interface LapackCase {
  name: string;
  shape: [number, number];
  activations: number[][];
  eigenvalues: number[];
  trace: number;
}
const cases = lapack.cases as unknown as LapackCase[];
/** The subspace method's two placements of its small solves: float64 on the host, tfjs ops on the device. */
const RITZ_SOLVES = ['host', 'device'] as const;
type Variant = { method: 'exact' | 'subspace'; ritzSolve?: 'host' | 'device'; label: string };
const VARIANTS: Variant[] = [
  { method: 'exact', label: 'exact' },
  { method: 'subspace', ritzSolve: 'host', label: 'subspace, host solve' },
  { method: 'subspace', ritzSolve: 'device', label: 'subspace, device solve' },
];

function relativeErrors(actual: ArrayLike<number>, expected: ArrayLike<number>): number[] {
  return Array.from({ length: expected.length }, (_, i) => Math.abs(actual[i]! - expected[i]!) / Math.abs(expected[i]!));
}

describe('eigenspectrum against LAPACK (numpy eigvalsh) fixtures', () => {
  for (const c of cases) {
    it(`exact: leading 50 within 1e-3 relative (${c.name}, ${c.shape.join('x')})`, () => {
      const x = tf.tensor2d(c.activations);
      const got = eigenspectrum(x, { method: 'exact', k: 50 }).dataSync();
      const expected = c.eigenvalues.slice(0, 50).map((v) => v / c.trace);
      expect(Math.max(...relativeErrors(got, expected))).toBeLessThan(1e-3);
      x.dispose();
    });

    for (const ritzSolve of RITZ_SOLVES) {
      it(`subspace (${ritzSolve} solve): leading 10 within 1e-2 of exact (${c.name})`, () => {
        const x = tf.tensor2d(c.activations);
        const exact = eigenspectrum(x, { method: 'exact', k: 10 }).dataSync();
        const subspace = eigenspectrum(x, { method: 'subspace', k: 10, ritzSolve }).dataSync();
        expect(Math.max(...relativeErrors(subspace, exact))).toBeLessThan(1e-2);
        const expected = c.eigenvalues.slice(0, 10).map((v) => v / c.trace);
        expect(Math.max(...relativeErrors(subspace, expected))).toBeLessThan(1e-2);
        x.dispose();
      });
    }
  }

  it("k: 'all' returns min(N, f) values that sum to 1", () => {
    const c = cases[1]!;
    const got = eigenspectrum(tf.tensor2d(c.activations), { method: 'exact', k: 'all' }).dataSync();
    expect(got.length).toBe(Math.min(...c.shape));
    expect(Array.from(got).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    // Centred data of batch 60 has rank <= 59: the last eigenvalue is 0 (to float32 round-off).
    expect(got[got.length - 1]!).toBeLessThan(1e-6);
  });
});

describe('eigenspectrum: analytic spectra', () => {
  const lambdas = Array.from({ length: 40 }, (_, i) => (i + 1) ** -1.5);
  const total = lambdas.reduce((a, b) => a + b, 0);
  const x = () => tf.tensor2d(activationsWithSpectrum(300, lambdas, 3));

  for (const { method, ritzSolve, label } of VARIANTS) {
    it(`${label} recovers a constructed spectrum n^-1.5 (leading 10, 1e-3 relative)`, () => {
      const got = eigenspectrum(x(), { method, ritzSolve, k: 10 }).dataSync();
      const expected = lambdas.slice(0, 10).map((v) => v / total);
      expect(Math.max(...relativeErrors(got, expected))).toBeLessThan(1e-3);
    });
  }

  it('flattens non-batch axes: [N, 4, 10] equals [N, 40]', () => {
    const flat = x();
    const shaped = tf.reshape(flat, [300, 4, 10]);
    const a = eigenspectrum(flat, { k: 5 }).dataSync();
    const b = eigenspectrum(shaped, { k: 5 }).dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('is invariant to scaling and shifting the activations', () => {
    const a = x();
    const base = eigenspectrum(a, { k: 5 }).dataSync();
    const moved = eigenspectrum(tf.add(tf.mul(a, 1000), 7), { k: 5 }).dataSync();
    expect(Math.max(...relativeErrors(moved, base))).toBeLessThan(1e-4);
  });

  it("'auto' picks subspace for small k against the dimension and exact otherwise (same values)", () => {
    const big = tf.tensor2d(gaussianMatrix(200, 120, 5));
    const auto = eigenspectrum(big, { k: 5, method: 'auto' }).dataSync();
    const exact = eigenspectrum(big, { k: 5, method: 'exact' }).dataSync();
    expect(Math.max(...relativeErrors(auto, exact))).toBeLessThan(1e-2);
  });
});

describe('eigenspectrum: warm start', () => {
  for (const ritzSolve of RITZ_SOLVES) {
  it(`a kept SubspaceState makes later calls start from the previous eigenvectors (${ritzSolve} solve)`, () => {
    const c = cases[2]!;
    const x = tf.tensor2d(c.activations);
    const exact = eigenspectrum(x, { method: 'exact', k: 10 }).dataSync();
    const state = new SubspaceState();
    // One cold call fills the state; then a warm call with a single iteration is as accurate.
    eigenspectrum(x, { method: 'subspace', k: 10, state, ritzSolve }).dispose();
    expect(state.basis?.shape).toEqual([20, 80]);
    const warm = eigenspectrum(x, { method: 'subspace', k: 10, state, iterations: 1, ritzSolve }).dataSync();
    expect(Math.max(...relativeErrors(warm, exact))).toBeLessThan(1e-3);
    // A cold start limited to one iteration is visibly worse: the state is doing the work.
    const cold = eigenspectrum(x, { method: 'subspace', k: 10, coldStartIterations: 1, ritzSolve }).dataSync();
    expect(Math.max(...relativeErrors(cold, exact))).toBeGreaterThan(Math.max(...relativeErrors(warm, exact)));
    state.dispose();
    expect(state.basis).toBeNull();
  });
  }

  it('a state whose shape no longer fits is replaced, not reused', () => {
    const state = new SubspaceState();
    eigenspectrum(tf.tensor2d(gaussianMatrix(100, 60, 1)), { method: 'subspace', k: 5, state });
    eigenspectrum(tf.tensor2d(gaussianMatrix(100, 70, 2)), { method: 'subspace', k: 5, state });
    expect(state.basis?.shape).toEqual([15, 70]);
    state.dispose();
  });

  it('a state whose basis was disposed from outside starts cold, with the same spectrum as no state', () => {
    const x = tf.tensor2d(gaussianMatrix(100, 60, 1));
    const state = new SubspaceState();
    eigenspectrum(x, { method: 'subspace', k: 5, state });
    tf.dispose(state.basis as tf.Tensor);
    const again = eigenspectrum(x, { method: 'subspace', k: 5, state }).arraySync();
    expect(again).toEqual(eigenspectrum(x, { method: 'subspace', k: 5 }).arraySync());
    state.dispose();
  });
});

describe('eigenspectrum: degenerate input stays finite', () => {
  const finite = (t: tf.Tensor) => Array.from(t.dataSync()).every(Number.isFinite);
  const grads = (x: tf.Tensor, { method, ritzSolve }: Variant) =>
    tf.grad((a: tf.Tensor) => tf.sum(tf.mul(eigenspectrum(a, { method, ritzSolve, k: 5 }), tf.linspace(1, 2, 5))))(x);

  const degenerate: Record<string, () => tf.Tensor> = {
    'zero variance': () => tf.fill([30, 12], 3),
    'rank one': () => tf.matMul(tf.tensor2d(gaussianMatrix(30, 1, 1)), tf.tensor2d(gaussianMatrix(1, 12, 2))),
    'duplicated features': () => {
      const a = tf.tensor2d(gaussianMatrix(30, 6, 3));
      return tf.concat([a, a], 1);
    },
    'batch smaller than features': () => tf.tensor2d(gaussianMatrix(6, 40, 4)),
  };
  for (const [name, make] of Object.entries(degenerate)) {
    for (const variant of VARIANTS) {
      it(`${name} (${variant.label}): finite spectrum and gradient`, () => {
        const x = make();
        expect(finite(eigenspectrum(x, { method: variant.method, ritzSolve: variant.ritzSolve, k: 5 }))).toBe(true);
        expect(finite(grads(x, variant))).toBe(true);
      });
    }
  }
});

describe('eigenspectrum: memory', () => {
  for (const { method, ritzSolve, label } of VARIANTS) {
    it(`${label}: no tensor leak over repeated spectrum + gradient calls`, async () => {
      const x = tf.tensor2d(gaussianMatrix(64, 48, 9));
      const state = new SubspaceState();
      const run = () => {
        const g = tf.grad((a: tf.Tensor) => tf.sum(eigenspectrum(a, { method, ritzSolve, k: 5, state })))(x);
        g.dispose();
        eigenspectrum(x, { method, ritzSolve, k: 5, state }).dispose();
      };
      run(); // the first call creates the kept state
      await expectNoLeak(() => {
        for (let i = 0; i < 5; i++) run();
      });
      const before = tf.memory().numTensors;
      state.dispose();
      expect(tf.memory().numTensors).toBe(method === 'subspace' ? before - 1 : before);
      x.dispose();
    });
  }
});

describe('eigenspectrum gradient against central finite differences', () => {
  // A weighted sum of the normalised eigenvalues: unlike alpha it is not
  // scale-invariant, so it also checks the trace term of the gradient.
  const shapes: Array<[string, number, number]> = [
    ['covariance side (N > f)', 40, 16],
    ['Gram side (N < f)', 14, 30],
  ];
  for (const [side, n, f] of shapes) {
    for (const { method, ritzSolve, label } of VARIANTS) {
      it(`${label}, ${side}`, () => {
        const x = tf.tensor2d(powerLawSamples(n, f, 1, n * f));
        const weights = tf.tensor1d([3, -1, 2, 0.5, -2, 1]);
        const objective = (a: tf.Tensor) =>
          tf.sum(tf.mul(eigenspectrum(a, { method, ritzSolve, k: 6, coldStartIterations: 60, tolerance: 1e-7 }), weights)) as tf.Scalar;
        expectGradientMatches(directionalDerivatives(objective, x, 4, 1e-2, 23), 1e-2);
      });
    }
  }
});

describe('eigenspectrum: repeatable', () => {
  it('the default seed (0) gives the same cold subspace start, hence the same values, every call', () => {
    // tfjs treats a seed of 0 as "no seed"; the package must not inherit that.
    const x = tf.tensor2d(powerLawSamples(300, 120, 0.3, 12));
    const a = eigenspectrum(x, { method: 'subspace', k: 10, coldStartIterations: 3 }).dataSync();
    const b = eigenspectrum(x, { method: 'subspace', k: 10, coldStartIterations: 3 }).dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
  });
});
