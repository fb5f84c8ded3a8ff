import {
  abs,
  add,
  div,
  eye,
  gather,
  mul,
  pad,
  maximum,
  reshape,
  rsqrt,
  step,
  slice,
  sqrt,
  square,
  sub,
  sum,
  tensor1d,
  tensor2d,
  tidy,
  topk,
  matMul,
  type Tensor1D,
  type Tensor2D,
} from '@tensorflow/tfjs-core';

/** Floor for divisions that may be 0 / 0 (zero matrix, zero off-diagonal with equal diagonal). */
const TINY = 1e-30;

/**
 * Symmetric eigendecomposition of a small n x n matrix with tfjs ops only,
 * so it runs on the device and reads nothing back (the webgpu backend has no
 * reliable synchronous read).
 *
 * Parallel cyclic Jacobi (Brent & Luk, 1985): a sweep is n - 1 rounds of the
 * round-robin tournament, and each round rotates n / 2 disjoint index pairs
 * at once with one orthogonal matrix J = diag(c) + diag(s) P, where P swaps
 * each index with its partner. Each pair's angle zeroes its off-diagonal
 * entry, exactly as in the classical method (Golub & Van Loan, Alg. 8.5.2),
 * so the same quadratic convergence holds. The sweep count is fixed because
 * stopping on convergence would need a read; a nearly diagonal input (a warm
 * start) converges in one or two sweeps, a random one in five or six.
 *
 * Returns eigenvalues descending and the eigenvectors as the matching columns.
 */
export function deviceSymmetricEigen(matrix: Tensor2D, sweeps: number): { values: Tensor1D; vectors: Tensor2D } {
  const size = matrix.shape[0];
  return tidy(() => {
    // Work on M / sum|M| so that squares neither overflow nor underflow in float32.
    const scale = maximum(sum(abs(matrix)), TINY);
    const scaled = div(matrix, scale) as Tensor2D;
    // An odd size gets one decoupled padding index whose eigenvalue (-2) sits below every
    // real one (|lambda| <= 1 after scaling), so the tournament pairs everybody and the padding sorts last.
    const n = size % 2 === 0 ? size : size + 1;
    let a: Tensor2D = scaled;
    if (n > size) {
      const corner = tensor2d([1], [1, 1]);
      a = sub(pad(scaled, [[0, 1], [0, 1]]), mul(pad(corner, [[size, 0], [size, 0]]), 2)) as Tensor2D;
    }
    const identity = eye(n) as Tensor2D;
    const rounds = tournament(n).map((partner) => roundTensors(partner, n));
    let v: Tensor2D = identity;
    for (let sweep = 0; sweep < sweeps; sweep++) {
      for (const round of rounds) {
        const next = tidy(() => rotate(a, v, round, identity, n));
        if (a !== scaled) a.dispose();
        if (v !== identity) v.dispose();
        a = next.a;
        v = next.v;
      }
    }
    const diagonal = gather(reshape(a, [n * n]), tensor1d(range(n).map((i) => i * n + i), 'int32'));
    const { values, indices } = topk(diagonal, n);
    const sortedVectors = gather(v, indices, 1);
    return {
      values: mul(slice(values, 0, size), scale) as Tensor1D,
      vectors: slice(sortedVectors, [0, 0], [size, size]) as Tensor2D,
    };
  });
}

/** Per-round constants; index and sign vectors are n x 1 columns, so every per-pair value is one. */
interface RoundTensors {
  /** i * n + i. */
  diagonalIndex: Tensor2D;
  /** p * n + p for the partner p. */
  partnerDiagonalIndex: Tensor2D;
  /**
   * The pair's upper-triangle entry, min(i, p) * n + max(i, p), read by both members:
   * float32 products leave A slightly asymmetric, and both members of a pair must compute
   * the same angle or J stops being orthogonal.
   */
  offDiagonalIndex: Tensor2D;
  /** +1 for the first index of a pair, -1 for the second. */
  side: Tensor2D;
  /** P[i, partner(i)] = 1. */
  swap: Tensor2D;
}

/** One Jacobi round: rotate every pair of the round at once. */
function rotate(a: Tensor2D, v: Tensor2D, round: RoundTensors, identity: Tensor2D, n: number): { a: Tensor2D; v: Tensor2D } {
  const flat = reshape(a, [n * n]);
  const own = gather(flat, round.diagonalIndex);
  const other = gather(flat, round.partnerDiagonalIndex);
  const off = gather(flat, round.offDiagonalIndex);
  // h = a_qq - a_pp, bit-identical on both members of a pair (negation and subtraction are exact
  // in sign), so any fixed sign convention agrees; h = 0 counts as negative, and either root works.
  const h = mul(round.side, sub(other, own));
  const signOfH = step(h, -1);
  // t = tan(theta) = 2 a_pq sign(h) / (|h| + sqrt(h^2 + 4 a_pq^2)), the smaller root of
  // t^2 + (h / a_pq) t - 1 = 0, without trigonometry: WGSL only promises sin/cos to about
  // 5e-4, which would break orthogonality.
  const twiceOff = mul(off, 2);
  const root = sqrt(add(square(h), square(twiceOff)));
  const t = div(mul(twiceOff, signOfH), maximum(add(abs(h), root), TINY));
  const c = rsqrt(add(square(t), 1));
  const s = mul(mul(round.side, t), c);
  // J[p, p] = J[q, q] = c, J[p, q] = s, J[q, p] = -s.
  const rotation = add(mul(identity, c), mul(round.swap, s)) as Tensor2D;
  return {
    a: matMul(rotation, matMul(a, rotation), true, false),
    v: matMul(v, rotation),
  };
}

function roundTensors(partner: number[], n: number): RoundTensors {
  const swap = new Float32Array(n * n);
  for (const [i, p] of partner.entries()) swap[i * n + p] = 1;
  const column = (values: number[], dtype: 'int32' | 'float32') => tensor2d(values, [n, 1], dtype);
  return {
    diagonalIndex: column(partner.map((_, i) => i * n + i), 'int32'),
    partnerDiagonalIndex: column(partner.map((p) => p * n + p), 'int32'),
    offDiagonalIndex: column(partner.map((p, i) => Math.min(i, p) * n + Math.max(i, p)), 'int32'),
    side: column(partner.map((p, i) => (i < p ? 1 : -1)), 'float32'),
    swap: tensor2d(swap, [n, n]),
  };
}

/**
 * Round-robin tournament on an even n (the circle method): n - 1 rounds in
 * which every index meets every other exactly once. Each round is given as
 * partner[i].
 */
export function tournament(n: number): number[][] {
  const seats = range(n);
  const rounds: number[][] = [];
  for (let r = 0; r < n - 1; r++) {
    const partner = new Array<number>(n);
    for (let i = 0; i < n / 2; i++) {
      const p = seats[i] as number;
      const q = seats[n - 1 - i] as number;
      partner[p] = q;
      partner[q] = p;
    }
    rounds.push(partner);
    // Keep seat 0 fixed and rotate the others by one.
    seats.splice(1, 0, seats.pop() as number);
  }
  return rounds;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
