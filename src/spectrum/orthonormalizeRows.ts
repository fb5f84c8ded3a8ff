import { add, matMul, maximum, mul, rsqrt, slice, square, sub, sum, tensor2d, tidy, zeros, type Tensor2D } from '@tensorflow/tfjs-core';

/** Squared norm below which a residual row counts as zero (keeps 0 / 0 out). */
const ZERO_ROW = 1e-30;

/**
 * Orthonormal rows spanning the rows of `rows` (b x f), by classical
 * Gram-Schmidt with reorthogonalisation (CGS2, Giraud et al. 2005), with
 * tfjs ops only so that nothing is read back. Every step works on full
 * b x f shapes (rows not yet produced are zero), so GPU backends compile each
 * kernel once. A row that depends on earlier ones becomes zero when its
 * residual is exactly zero, else it is normalised, which only adds a
 * direction orthogonal to the others.
 */
export function orthonormalizeRows(rows: Tensor2D): Tensor2D {
  const [b, f] = rows.shape;
  return tidy(() => {
    let basis: Tensor2D = zeros([b, f]);
    for (let j = 0; j < b; j++) {
      const next = tidy(() => {
        let row: Tensor2D = slice(rows, [j, 0], [1, f]);
        for (let pass = 0; pass < 2; pass++) {
          const coefficients = matMul(basis, row, false, true); // b x 1
          row = sub(row, matMul(coefficients, basis, true, false));
        }
        const unit = mul(row, rsqrt(maximum(sum(square(row)), ZERO_ROW)));
        return add(basis, matMul(eyeColumn(b, j), unit)) as Tensor2D;
      });
      basis.dispose();
      basis = next;
    }
    return basis;
  });
}

/** Column j of the b x b identity, as a b x 1 tensor. */
function eyeColumn(b: number, j: number): Tensor2D {
  const column = new Float32Array(b);
  column[j] = 1;
  return tensor2d(column, [b, 1]);
}
