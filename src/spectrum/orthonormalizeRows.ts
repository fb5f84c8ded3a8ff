import { add, matMul, maximum, mul, rsqrt, slice, square, step, sub, sum, tensor2d, tidy, zeros, type Tensor2D } from '@tensorflow/tfjs-core';

/** Squared norm below which a residual row counts as zero (keeps 0 / 0 out). */
const ZERO_ROW = 1e-30;
/**
 * A residual shorter than this fraction of its row is rounding noise of a
 * dependent row: normalised, it would point anywhere, not orthogonally to
 * the basis (float32 CGS2 leaves about 1e-6 of a dependent row).
 */
const DEPENDENT_RESIDUAL = 1e-4;

/**
 * Orthonormal rows spanning the rows of `rows` (b x f), by classical
 * Gram-Schmidt with reorthogonalisation (CGS2, Giraud et al. 2005), with
 * tfjs ops only so that nothing is read back. Every step works on full
 * b x f shapes (rows not yet produced are zero), so GPU backends compile each
 * kernel once. A row that depends on earlier ones (its residual below
 * 1e-4 of its norm) becomes zero; any other row is normalised.
 */
export function orthonormalizeRows(rows: Tensor2D): Tensor2D {
  const [b, f] = rows.shape;
  return tidy(() => {
    let basis: Tensor2D = zeros([b, f]);
    for (let j = 0; j < b; j++) {
      const next = tidy(() => {
        const original: Tensor2D = slice(rows, [j, 0], [1, f]);
        let row = original;
        for (let pass = 0; pass < 2; pass++) {
          const coefficients = matMul(basis, row, false, true); // b x 1
          row = sub(row, matMul(coefficients, basis, true, false));
        }
        const residual = sum(square(row));
        // 1 for an independent row, 0 for a dependent one (step has a zero gradient; no read).
        const independent = step(sub(residual, mul(sum(square(original)), DEPENDENT_RESIDUAL ** 2)));
        const unit = mul(mul(row, rsqrt(maximum(residual, ZERO_ROW))), independent);
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
