import { add, matMul, maximum, mul, rsqrt, slice, square, step, sub, sum, tensor2d, tidy, zeros, type Tensor, type Tensor2D } from '@tensorflow/tfjs-core';

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
 * 1e-4 of its norm) is replaced by the same row of `spare`, orthogonalised
 * in turn, when given (the subspace iteration's random rows: a direction
 * lost to a power step restarts instead of staying zero for good), and
 * becomes zero when that depends on earlier ones too, or without `spare`;
 * any other row is normalised.
 */
export function orthonormalizeRows(rows: Tensor2D, spare?: Tensor2D): Tensor2D {
  const [b, f] = rows.shape;
  return tidy(() => {
    let basis: Tensor2D = zeros([b, f]);
    for (let j = 0; j < b; j++) {
      const next = tidy(() => {
        const own = orthonormalResidual(basis, slice(rows, [j, 0], [1, f]));
        let unit = mul(own.unit, own.independent);
        if (spare) {
          const fresh = orthonormalResidual(basis, slice(spare, [j, 0], [1, f]));
          unit = add(unit, mul(fresh.unit, mul(fresh.independent, sub(1, own.independent))));
        }
        return add(basis, matMul(eyeColumn(b, j), unit)) as Tensor2D;
      });
      basis.dispose();
      basis = next;
    }
    return basis;
  });
}

/**
 * `original` (1 x f) orthogonalised against the rows of `basis` in two
 * passes and normalised, and 1 when it is independent of them, else 0
 * (step has a zero gradient; nothing is read).
 */
function orthonormalResidual(basis: Tensor2D, original: Tensor2D): { unit: Tensor2D; independent: Tensor } {
  let row = original;
  for (let pass = 0; pass < 2; pass++) {
    const coefficients = matMul(basis, row, false, true); // b x 1
    row = sub(row, matMul(coefficients, basis, true, false));
  }
  const residual = sum(square(row));
  const independent = step(sub(residual, mul(sum(square(original)), DEPENDENT_RESIDUAL ** 2)));
  return { unit: mul(row, rsqrt(maximum(residual, ZERO_ROW))), independent };
}

/** Column j of the b x b identity, as a b x 1 tensor. */
function eyeColumn(b: number, j: number): Tensor2D {
  const column = new Float32Array(b);
  column[j] = 1;
  return tensor2d(column, [b, 1]);
}
