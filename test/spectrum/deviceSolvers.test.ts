/**
 * The device-side building blocks of `ritzSolve: 'device'`, against the
 * independent float64 host solver and against analytic cases.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../../src/internal/symmetricEigen';
import { deviceSymmetricEigen, tournament } from '../../src/spectrum/deviceJacobi';
import { orthonormalizeRows } from '../../src/spectrum/orthonormalizeRows';
import { expectNoLeak, gaussianMatrix } from '../helpers/oracles';

/** A symmetric positive semi-definite n x n matrix G^T G with G of the given rows. */
function gramOf(rows: number, n: number, seed: number): number[][] {
  const g = gaussianMatrix(rows, n, seed);
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => g.reduce((s, row) => s + row[i]! * row[j]!, 0)));
}

/** Every entry of `matrix` within `tolerance` of the identity's. */
function expectIdentity(matrix: number[][], tolerance: number): void {
  const worst = Math.max(...matrix.flatMap((row, i) => row.map((x, j) => Math.abs(x - (i === j ? 1 : 0)))));
  expect(worst).toBeLessThan(tolerance);
}

function residual(matrix: number[][], values: ArrayLike<number>, vectors: number[][]): number {
  // max over columns j of ||M v_j - lambda_j v_j|| / ||M||_max-row
  const n = matrix.length;
  const scale = Math.max(...matrix.map((row) => Math.hypot(...row)));
  let worst = 0;
  for (let j = 0; j < n; j++) {
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const mv = matrix[i]!.reduce((s, m, l) => s + m * vectors[l]![j]!, 0);
      sq += (mv - (values[j] as number) * vectors[i]![j]!) ** 2;
    }
    worst = Math.max(worst, Math.sqrt(sq) / scale);
  }
  return worst;
}

describe('tournament schedule', () => {
  for (const n of [2, 4, 6, 20]) {
    it(`n = ${n}: n - 1 rounds of disjoint pairs, every pair exactly once`, () => {
      const rounds = tournament(n);
      expect(rounds.length).toBe(n - 1);
      const seen = new Set<string>();
      for (const partner of rounds) {
        partner.forEach((p, i) => {
          expect(p).not.toBe(i);
          expect(partner[p]).toBe(i);
          if (i < p) seen.add(`${i},${p}`);
        });
      }
      expect(seen.size).toBe((n * (n - 1)) / 2);
    });
  }
});

describe('deviceSymmetricEigen against the float64 host solver', () => {
  const cases: Array<[string, number[][]]> = [
    ['random 20 x 20', gramOf(30, 20, 1)],
    ['random 21 x 21 (odd: padded)', gramOf(30, 21, 2)],
    ['rank 3 of 12', gramOf(3, 12, 3)],
    ['1 x 1', [[4]]],
    ['3 x 3 (odd)', gramOf(5, 3, 4)],
  ];
  for (const [name, matrix] of cases) {
    // Tolerances of float32 Jacobi: eigenvalues to 1e-5 of the largest, residuals
    // ||M v - lambda v|| to 1e-4 of ||M||, V^T V = I to 1e-5.
    it(`${name}: eigenvalues within 1e-5 of the largest, residual below 1e-4, orthonormal vectors`, () => {
      const n = matrix.length;
      const { values, vectors } = deviceSymmetricEigen(tf.tensor2d(matrix), 6);
      const got = values.dataSync();
      const v = vectors.arraySync() as number[][];
      const host = symmetricEigen(matrix.flat(), n, false).values;
      for (let i = 0; i < n; i++) expect(Math.abs(got[i]! - host[i]!)).toBeLessThan(1e-5 * Math.abs(host[0]!));
      for (let i = 1; i < n; i++) expect(got[i]!).toBeLessThanOrEqual(got[i - 1]!);
      expect(residual(matrix, got, v)).toBeLessThan(1e-4);
      const vtv = tf.matMul(vectors, vectors, true, false).arraySync() as number[][];
      expectIdentity(vtv, 1e-5);
    });
  }

  it('analytic: a rotated diagonal with repeated eigenvalues {5, 5, 2, 0}', () => {
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    // Q = a rotation in the (0, 2) and (1, 3) planes; M = Q diag(5, 2, 5, 0) Q^T.
    const q = [
      [c, 0, -s, 0],
      [0, c, 0, -s],
      [s, 0, c, 0],
      [0, s, 0, c],
    ];
    const d = [5, 2, 5, 0];
    const m = q.map((_, i) => q.map((__, j) => d.reduce((acc, dk, k) => acc + q[i]![k]! * dk * q[j]![k]!, 0)));
    const got = deviceSymmetricEigen(tf.tensor2d(m), 6).values.dataSync();
    for (const [i, expected] of [5, 5, 2, 0].entries()) expect(got[i]!).toBeCloseTo(expected, 5);
  });

  it('the zero matrix gives zero values and the identity as vectors', () => {
    const { values, vectors } = deviceSymmetricEigen(tf.zeros([4, 4]), 3);
    expect(Array.from(values.dataSync())).toEqual([0, 0, 0, 0]);
    const v = vectors.arraySync() as number[][];
    expect(v.map((row) => row.map(Math.abs))).toEqual([
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ].map((row, i) => row.map((_, j) => Math.abs(v[i]![j]!) > 0.5 ? 1 : 0)));
    expect(v.every((row) => row.every(Number.isFinite))).toBe(true);
  });

  it('leaks no tensors', async () => {
    const m = tf.tensor2d(gramOf(10, 7, 5));
    await expectNoLeak(() => {
      const { values, vectors } = deviceSymmetricEigen(m, 4);
      values.dispose();
      vectors.dispose();
    });
    m.dispose();
  });
});

describe('orthonormalizeRows', () => {
  it('gives orthonormal rows spanning the input rows', () => {
    const rows = tf.tensor2d(gaussianMatrix(6, 40, 7));
    const q = orthonormalizeRows(rows);
    const qqt = tf.matMul(q, q, false, true).arraySync() as number[][];
    expectIdentity(qqt, 1e-5);
    // Same span: projecting the input onto the rows of q loses nothing.
    const projected = tf.matMul(tf.matMul(rows, q, false, true), q);
    const lost = tf.norm(tf.sub(rows, projected)).dataSync()[0]! / tf.norm(rows).dataSync()[0]!;
    expect(lost).toBeLessThan(1e-5);
  });

  it('stays orthonormal for badly scaled rows (norms 1 to 1e-4)', () => {
    const g = gaussianMatrix(5, 30, 8);
    const rows = tf.tensor2d(g.map((row, i) => row.map((v) => v * 10 ** -i)));
    const qqt = tf.matMul(orthonormalizeRows(rows), orthonormalizeRows(rows), false, true).arraySync() as number[][];
    expectIdentity(qqt, 1e-5);
  });

  it('a zero row stays zero and nothing is NaN', () => {
    const g = gaussianMatrix(3, 10, 9);
    const q = orthonormalizeRows(tf.tensor2d([g[0]!, new Array(10).fill(0), g[2]!])).arraySync() as number[][];
    expect(q[1]!.every((v) => v === 0)).toBe(true);
    expect(q.flat().every(Number.isFinite)).toBe(true);
  });

  it('with spare rows, a dependent row is replaced by its spare row, orthogonalised; with nothing left to span, it is zero', () => {
    const g = gaussianMatrix(3, 10, 9);
    const spare = tf.tensor2d(gaussianMatrix(3, 10, 11));
    // Row 1 is row 0 plus rounding-level noise: dependent.
    const rows = tf.tensor2d([g[0]!, g[0]!.map((v, i) => v + (i === 3 ? 1e-7 : 0)), g[2]!]);
    const q = orthonormalizeRows(rows, spare);
    expectIdentity(tf.matMul(q, q, false, true).arraySync() as number[][], 1e-5);
    // Row 1 now lies in the span of row 0 and spare row 1.
    const span = tf.tensor2d([g[0]!, (spare.arraySync() as number[][])[1]!]);
    const row1 = tf.slice(q, [1, 0], [1, 10]);
    const inSpan = tf.matMul(tf.matMul(row1, orthonormalizeRows(span), false, true), orthonormalizeRows(span));
    expect(tf.norm(tf.sub(row1, inSpan)).dataSync()[0]).toBeLessThan(1e-5);
    // Three rows in a plane: the third and its spare both depend on the first two.
    const plane = orthonormalizeRows(tf.tensor2d([[1, 0], [0, 1], [1, 1]]), tf.tensor2d([[0.3, 0.1], [0.2, 0.5], [0.7, -0.4]])).arraySync() as number[][];
    expect(plane[2]).toEqual([0, 0]);
  });

  it('leaks no tensors', async () => {
    const spare = tf.tensor2d(gaussianMatrix(4, 12, 12));
    const dead = tf.zeros([4, 12]) as tf.Tensor2D;
    await expectNoLeak(() => orthonormalizeRows(dead, spare).dispose());
    tf.dispose([spare, dead]);
    const rows = tf.tensor2d(gaussianMatrix(4, 12, 10));
    await expectNoLeak(() => orthonormalizeRows(rows).dispose());
    rows.dispose();
  });
});
