import { symmetricEigen } from '../internal/symmetricEigen';

/**
 * The host half of one subspace iteration: the Rayleigh-Ritz solve for a
 * basis Y (rows, not necessarily orthonormal) given its Gram matrix
 * G = Y Y^T and projected matrix B = Y M Y^T, both b x b.
 *
 * It solves B w = theta G w by first orthonormalising the basis with the
 * scaled eigendecomposition of G (the SVQB method of Stathopoulos & Wu,
 * 2002), dropping directions that are numerically dependent, and then
 * diagonalising the projected B. Everything is float64 and O(b^3) with b the
 * block size (about 20), so it costs microseconds; the b x b inputs are the
 * only values the subspace method reads back from the device.
 */
export interface RitzSolution {
  /** Ritz values, descending; zero for dropped directions. Length b. */
  values: Float64Array;
  /**
   * Row-major b x b matrix T with Ritz vectors R = T Y: row i of T combines
   * the rows of Y into the i-th Ritz vector. Rows of dropped directions are zero.
   */
  transform: Float32Array;
  /** Number of independent directions kept. */
  rank: number;
}

/** Relative eigenvalue floor below which a direction of the scaled Gram matrix counts as dependent. */
const DEPENDENCE_TOLERANCE = 1e-5;

export function rayleighRitz(gram: ArrayLike<number>, projected: ArrayLike<number>, b: number): RitzSolution {
  // Scale rows of Y to unit norm so the tolerance is independent of the rows' magnitudes.
  const scale = new Float64Array(b);
  for (let i = 0; i < b; i++) {
    const g = gram[i * b + i] as number;
    scale[i] = g > 0 && Number.isFinite(g) ? 1 / Math.sqrt(g) : 0;
  }
  const c = new Float64Array(b * b);
  for (let i = 0; i < b; i++) {
    for (let j = 0; j < b; j++) c[i * b + j] = (gram[i * b + j] as number) * (scale[i] as number) * (scale[j] as number);
  }
  const cEig = symmetricEigen(c, b, true);
  const cVectors = cEig.vectors as Float64Array;
  const top = Math.max(cEig.values[0] as number, 0);
  let rank = 0;
  while (rank < b && (cEig.values[rank] as number) > DEPENDENCE_TOLERANCE * top) rank++;

  // X (b x rank): columns are D^-1 e_j / sqrt(mu_j); then Y^T X has orthonormal columns.
  const x = new Float64Array(b * rank);
  for (let j = 0; j < rank; j++) {
    const inv = 1 / Math.sqrt(cEig.values[j] as number);
    for (let i = 0; i < b; i++) x[i * rank + j] = (scale[i] as number) * (cVectors[j * b + i] as number) * inv;
  }
  // Projected matrix in the orthonormal basis: X^T B X (rank x rank).
  const bx = new Float64Array(b * rank);
  for (let i = 0; i < b; i++) {
    for (let j = 0; j < rank; j++) {
      let s = 0;
      for (let l = 0; l < b; l++) s += (projected[i * b + l] as number) * (x[l * rank + j] as number);
      bx[i * rank + j] = s;
    }
  }
  const small = new Float64Array(rank * rank);
  for (let i = 0; i < rank; i++) {
    for (let j = 0; j < rank; j++) {
      let s = 0;
      for (let l = 0; l < b; l++) s += (x[l * rank + i] as number) * (bx[l * rank + j] as number);
      small[i * rank + j] = s;
    }
  }
  const values = new Float64Array(b);
  const transform = new Float32Array(b * b);
  if (rank === 0) return { values, transform, rank };
  const sEig = symmetricEigen(small, rank, true);
  const z = sEig.vectors as Float64Array;
  for (let r = 0; r < rank; r++) {
    values[r] = Math.max(sEig.values[r] as number, 0);
    // Row r of T = (X z_r)^T.
    for (let i = 0; i < b; i++) {
      let s = 0;
      for (let j = 0; j < rank; j++) s += (x[i * rank + j] as number) * (z[r * rank + j] as number);
      transform[r * b + i] = s;
    }
  }
  return { values, transform, rank };
}
