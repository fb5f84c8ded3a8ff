/**
 * Host-side symmetric eigensolver in float64: Householder reduction to
 * tridiagonal form followed by the implicit QL algorithm (the EISPACK
 * tred2/tql2 pair, as popularised by JAMA). tfjs has no eigendecomposition,
 * so the 'exact' path and the small Rayleigh-Ritz step of the 'subspace' path
 * use this. It is O(n^3) and meant for n up to a few thousand.
 */

export interface SymmetricEigenResult {
  /** Eigenvalues in descending order. */
  values: Float64Array;
  /**
   * Eigenvectors as rows, row-major (n x n): row i belongs to values[i].
   * Present only when requested.
   */
  vectors?: Float64Array;
}

const MAX_QL_ITERATIONS = 100;

/**
 * Eigenvalues (and optionally eigenvectors) of the symmetric n x n matrix
 * given row-major. The input is read once and not modified; it is symmetrised
 * as (A + A^T) / 2 so float32 round-off from a device product cannot break
 * the algorithm's assumptions.
 */
export function symmetricEigen(
  matrix: ArrayLike<number>,
  n: number,
  wantVectors: boolean,
): SymmetricEigenResult {
  // v holds the working matrix V column-major (V[i][j] at v[j * n + i]), so the O(n^3)
  // loops, which run down columns, read memory contiguously.
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      v[j * n + i] = 0.5 * ((matrix[i * n + j] as number) + (matrix[j * n + i] as number));
    }
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 1) {
    d[0] = v[0] as number;
    return wantVectors ? { values: d, vectors: Float64Array.of(1) } : { values: d };
  }
  tridiagonalize(v, d, e, n, wantVectors);
  diagonalizeTridiagonal(v, d, e, n, wantVectors);

  // Sort descending; eigenvector k is column k of V.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (d[b] as number) - (d[a] as number));
  const values = Float64Array.from(order, (i) => d[i] as number);
  if (!wantVectors) return { values };
  const vectors = new Float64Array(n * n);
  for (let r = 0; r < n; r++) {
    const col = order[r] as number;
    for (let i = 0; i < n; i++) vectors[r * n + i] = v[col * n + i] as number;
  }
  return { values, vectors };
}

/**
 * Householder tridiagonalisation into diagonal d and sub-diagonal e. With
 * `accumulate`, v holds the orthogonal transform on return; without it the
 * O(n^3) accumulation is skipped, which roughly halves the cost.
 */
function tridiagonalize(v: Float64Array, d: Float64Array, e: Float64Array, n: number, accumulate: boolean): void {
  const V = (i: number, j: number): number => v[j * n + i] as number;
  for (let j = 0; j < n; j++) d[j] = V(n - 1, j);

  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k] as number);
    if (scale === 0) {
      e[i] = d[i - 1] as number;
      for (let j = 0; j < i; j++) {
        d[j] = V(i - 1, j);
        v[j * n + i] = 0;
        v[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] = (d[k] as number) / scale;
        h += (d[k] as number) * (d[k] as number);
      }
      let f = d[i - 1] as number;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j] as number;
        v[i * n + j] = f;
        g = (e[j] as number) + V(j, j) * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V(k, j) * (d[k] as number);
          e[k] = (e[k] as number) + V(k, j) * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = (e[j] as number) / h;
        f += (e[j] as number) * (d[j] as number);
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = (e[j] as number) - hh * (d[j] as number);
      for (let j = 0; j < i; j++) {
        f = d[j] as number;
        g = e[j] as number;
        for (let k = j; k <= i - 1; k++) {
          v[j * n + k] = V(k, j) - (f * (e[k] as number) + g * (d[k] as number));
        }
        d[j] = V(i - 1, j);
        v[j * n + i] = 0;
      }
    }
    d[i] = h;
  }

  if (!accumulate) {
    // The accumulation below only reads the diagonal before overwriting it.
    for (let j = 0; j < n; j++) d[j] = V(j, j);
    e[0] = 0;
    return;
  }
  // Accumulate the Householder transformations.
  for (let i = 0; i < n - 1; i++) {
    v[i * n + (n - 1)] = V(i, i);
    v[i * n + i] = 1;
    const h = d[i + 1] as number;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V(k, i + 1) / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V(k, i + 1) * V(k, j);
        for (let k = 0; k <= i; k++) v[j * n + k] = V(k, j) - g * (d[k] as number);
      }
    }
    for (let k = 0; k <= i; k++) v[(i + 1) * n + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V(n - 1, j);
    v[j * n + (n - 1)] = 0;
  }
  v[(n - 1) * n + (n - 1)] = 1;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e); rotations are applied to v when wanted. */
function diagonalizeTridiagonal(v: Float64Array, d: Float64Array, e: Float64Array, n: number, wantVectors: boolean): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i] as number;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l] as number) + Math.abs(e[l] as number));
    let m = l;
    while (m < n - 1 && Math.abs(e[m] as number) > eps * tst1) m++;
    if (m > l) {
      let iterations = 0;
      do {
        if (++iterations > MAX_QL_ITERATIONS) {
          throw new Error('eigenspectrum: the QL iteration did not converge (is the input finite?)');
        }
        let g = d[l] as number;
        let p = ((d[l + 1] as number) - g) / (2 * (e[l] as number));
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = (e[l] as number) / (p + r);
        d[l + 1] = (e[l] as number) * (p + r);
        const dl1 = d[l + 1] as number;
        let h = g - (d[l] as number);
        for (let i = l + 2; i < n; i++) d[i] = (d[i] as number) - h;
        f += h;

        p = d[m] as number;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1] as number;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * (e[i] as number);
          h = c * p;
          r = Math.hypot(p, e[i] as number);
          e[i + 1] = s * r;
          s = (e[i] as number) / r;
          c = p / r;
          p = c * (d[i] as number) - s * g;
          d[i + 1] = h + s * (c * g + s * (d[i] as number));
          if (wantVectors) {
            for (let k = 0; k < n; k++) {
              const a = v[(i + 1) * n + k] as number;
              const b = v[i * n + k] as number;
              v[(i + 1) * n + k] = s * b + c * a;
              v[i * n + k] = c * b - s * a;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * (e[l] as number)) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l] as number) > eps * tst1);
    }
    d[l] = (d[l] as number) + f;
    e[l] = 0;
  }
}
