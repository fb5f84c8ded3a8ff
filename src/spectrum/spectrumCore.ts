import {
  abs,
  add,
  cast,
  concat,
  customGrad,
  div,
  greaterEqual,
  keep,
  matMul,
  max,
  maximum,
  mean,
  mul,
  randomNormal,
  reshape,
  scalar,
  slice,
  sqrt,
  square,
  sub,
  sum,
  tensor1d,
  tensor2d,
  tidy,
  transpose,
  type GradSaveFunc,
  type Scalar,
  type Tensor,
  type Tensor1D,
  type Tensor2D,
} from '@tensorflow/tfjs-core';
import { tfjsSeed } from '../internal/seed';
import { symmetricEigen } from '../internal/symmetricEigen';
import { rayleighRitz } from './rayleighRitz';
import { deviceSymmetricEigen } from './deviceJacobi';
import { chooseMethod, chooseRitzSolve, type ResolvedSpectrumOptions } from './options';
import { orthonormalizeRows } from './orthonormalizeRows';

/**
 * The differentiable eigenspectrum behind every public function.
 *
 * Forward: the leading k eigenvalues of Sigma = Ac^T Ac (Ac: activations
 * centred over the batch), divided by trace(Sigma) = ||Ac||_F^2.
 * Backward: with the eigenvectors v_i held fixed, lambda_i = ||Ac v_i||^2, so
 *   d(lambda_i / T) / dAc = 2 Ac v_i v_i^T / T - 2 lambda_i Ac / T^2,
 * which we apply as dAc = (2 / T) (S diag(g) V^T - (g . s) Ac) with S = Ac V.
 * Centring is linear and dAc is already centred, so dA = dAc.
 *
 * Scale: the input is divided by its largest magnitude before anything else,
 * so no product over- or underflows float32 whatever the activations' scale.
 * The spectrum is scale-free, so its gradient at A is the gradient at A / s,
 * divided by s.
 *
 * Noise: eigenvalues below float32 rounding noise (see noiseFloor) are
 * returned as exactly 0 and pass no gradient, so no method reports, and no
 * loss chases, values that are rounding error.
 *
 * Non-finite input: every path turns NaN or Infinity anywhere in the input
 * into NaN in every output value; the paths that read back from the device
 * throw a RangeError naming the calling function instead.
 *
 * Matrix products avoid matMul's transpose flags (about 12x slower on wasm):
 * only small k-sized operands are transposed explicitly.
 */

/** Smallest trace we divide by; keeps zero-variance input finite (0 / tiny = 0). */
const TRACE_FLOOR = 1e-30;
/** Smallest scale we divide by: all-zero input stays zero. A normal float32. */
const SCALE_FLOOR = 1e-37;
/** float32 unit roundoff, 2^-24. */
const UNIT_ROUNDOFF = 2 ** -24;
/**
 * Rounding noise of a float32 eigenvalue, relative to the largest, per
 * sqrt(max(N, f)) of the products' inner dimension. Measured: the subspace
 * method's Ritz values leave the true ones at about 1x this (without the 4).
 */
const RELATIVE_NOISE = 4 * UNIT_ROUNDOFF;
/**
 * Rounding noise left by centring rows that are nearly equal: each centred
 * entry carries about u |A_ij| of error, and the rounded mean's error is the
 * same in every row, so it can gather into one eigenvalue of up to about
 * u^2 sum(A^2). Relative to the centred trace, with a safety factor of 16.
 */
const CENTRING_NOISE = 16 * UNIT_ROUNDOFF ** 2;

/** The noise of the Ritz values relative to lambda1: it grows with the longer side of the activations. */
function relativeNoise(batch: number, features: number): number {
  return RELATIVE_NOISE * Math.sqrt(Math.max(batch, features));
}

/**
 * The float32 noise floor of a normalised spectrum (eigenvalues / trace):
 * values below it are rounding error. `lambda1` is the largest normalised
 * eigenvalue; `rawOverTrace` is sum(A^2) / sum(Ac^2), how much the centring
 * cancelled. The host twin of noiseFloorTensor.
 */
export function noiseFloor(lambda1: number, rawOverTrace: number, batch: number, features: number): number {
  return Math.max(relativeNoise(batch, features) * lambda1, CENTRING_NOISE * rawOverTrace);
}

/** noiseFloor on the device, for the path that reads nothing back. */
function noiseFloorTensor(lambda1: Tensor, rawOverTrace: Tensor, batch: number, features: number): Tensor {
  return maximum(mul(lambda1, relativeNoise(batch, features)), mul(rawOverTrace, CENTRING_NOISE));
}

/** Norm of the random nudge added to a warm-started basis, so dead directions can revive. */
const WARM_START_NUDGE = 1e-3;

export interface SpectrumPlan {
  /** The public function asking, for error messages. */
  fn: string;
  batch: number;
  features: number;
  /** Number of leading eigenvalues returned. */
  k: number;
  options: ResolvedSpectrumOptions;
}

/** The activations as float32 [batch, features]: flattened over the non-batch axes. */
export function flatActivations(activations: Tensor, batch: number, features: number): Tensor2D {
  const floatInput = activations.dtype === 'float32' ? activations : cast(activations, 'float32');
  return reshape(floatInput, [batch, features]) as Tensor2D;
}

/** Centred over the batch: each feature's mean removed. */
export function centred(flat: Tensor2D): Tensor2D {
  return sub(flat, mean(flat, 0, true)) as Tensor2D;
}

/**
 * The input divided by its largest magnitude, so that the products that
 * follow neither overflow nor underflow float32. `scale` carries NaN when
 * the input holds NaN or Infinity (x * 0 is NaN for them and 0 otherwise,
 * on every backend), and so does every value computed from `scaled`.
 */
export function scaledActivations(flat: Tensor2D): { scaled: Tensor2D; scale: Scalar } {
  const nonFinite = sum(mul(flat, 0));
  const scale = add(maximum(max(abs(flat)), SCALE_FLOOR), nonFinite) as Scalar;
  return { scaled: div(flat, scale) as Tensor2D, scale };
}

/** The error for activations holding NaN or Infinity. */
export function nonFiniteError(fn: string): RangeError {
  return new RangeError(`${fn}: activations contain NaN or Infinity, so their spectrum is undefined`);
}

function assertFiniteHost(fn: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i] as number)) throw nonFiniteError(fn);
}

/** Normalised leading spectrum of `activations`; arguments are already validated. */
export function normalizedSpectrum(activations: Tensor, plan: SpectrumPlan): Tensor1D {
  const { fn, batch, features, k, options } = plan;
  const method = chooseMethod(options.method, k, options.oversampling, Math.min(batch, features));
  return tidy(() => {
    const flat = flatActivations(activations, batch, features);
    const op = customGrad((...args: (Tensor | GradSaveFunc)[]) => {
      const input = args[0] as Tensor2D;
      const save = args[1] as GradSaveFunc;
      const { scaled, scale } = scaledActivations(input);
      const ac = centred(scaled);
      const forward =
        method === 'exact'
          ? exactForward(fn, ac, k)
          : chooseRitzSolve(options.ritzSolve) === 'device'
            ? deviceSubspaceForward(ac, k, options)
            : subspaceForward(fn, ac, k, options);
      // Values below rounding noise become 0 and pass no gradient.
      const rawOverTrace = div(sum(square(scaled)), forward.traceSafe);
      const floor = noiseFloorTensor(slice(forward.value, 0, 1), rawOverTrace, batch, features);
      const above = cast(greaterEqual(forward.value, floor), 'float32') as Tensor1D;
      // NaN survives the mask (NaN * 0 is NaN), so non-finite input stays visible.
      const value = mul(forward.value, above) as Tensor1D;
      const saved = [ac, value, forward.traceSafe, scale, above];
      save(forward.vectors && forward.projections ? [...saved, forward.vectors, forward.projections] : saved);
      return {
        value,
        gradFunc: (dy: Tensor, savedTensors: Tensor[]) => {
          const [savedAc, savedValue, traceSafe, savedScale, mask, vectors, projections] = savedTensors as [Tensor2D, Tensor1D, Scalar, Scalar, Tensor1D, Tensor2D?, Tensor2D?];
          const masked = mul(dy, mask) as Tensor1D;
          const gradient =
            vectors && projections
              ? spectrumGradient(masked, savedAc, savedValue, traceSafe, vectors, projections)
              : exactGradient(masked, savedAc, savedValue, traceSafe, k);
          return div(gradient, savedScale);
        },
      };
    });
    return op(flat) as Tensor1D;
  });
}

interface ForwardResult {
  value: Tensor1D;
  traceSafe: Scalar;
  /** k x f rows: the eigenvectors v_i (subspace path only). */
  vectors?: Tensor2D;
  /** N x k: S = Ac V (subspace path only). */
  projections?: Tensor2D;
}

function safeTrace(ac: Tensor2D): Scalar {
  return maximum(sum(square(ac)), TRACE_FLOOR) as Scalar;
}

/** Full host eigendecomposition of the smaller of Gram and covariance. */
function exactForward(fn: string, ac: Tensor2D, k: number): ForwardResult {
  const { matrix, size } = smallerSideMatrix(ac);
  const host = matrix.dataSync();
  assertFiniteHost(fn, host);
  const { normalized, denominator } = exactFromHost(host, size, k);
  return { value: tensor1d(normalized), traceSafe: scalar(denominator) };
}

/**
 * The exact normalised spectrum read asynchronously, for callers that need
 * no gradient ({@link estimateAlpha}): it works on every backend, webgpu
 * included, whose synchronous read is unreliable.
 */
export async function exactSpectrumAsync(activations: Tensor, plan: SpectrumPlan): Promise<Float32Array> {
  const { fn, batch, features, k } = plan;
  const { matrix, raw, size } = tidy(() => {
    const { scaled } = scaledActivations(flatActivations(activations, batch, features));
    const side = smallerSideMatrix(centred(scaled));
    return { matrix: side.matrix, raw: sum(square(scaled)), size: side.size };
  });
  try {
    const [host, rawEnergy] = await Promise.all([matrix.data(), raw.data()]);
    assertFiniteHost(fn, host);
    assertFiniteHost(fn, rawEnergy);
    const { normalized, denominator } = exactFromHost(host, size, k);
    const floor = noiseFloor(normalized[0] as number, (rawEnergy[0] as number) / denominator, batch, features);
    return normalized.map((v) => (v >= floor ? v : 0));
  } finally {
    matrix.dispose();
    raw.dispose();
  }
}

function exactFromHost(host: ArrayLike<number>, size: number, k: number): { normalized: Float32Array; denominator: number } {
  const { values } = symmetricEigen(host, size, false);
  let trace = 0;
  for (let i = 0; i < size; i++) trace += host[i * size + i] as number;
  const denominator = Math.max(trace, TRACE_FLOOR);
  const normalized = new Float32Array(k);
  for (let i = 0; i < k; i++) normalized[i] = Math.max(values[i] as number, 0) / denominator;
  return { normalized, denominator };
}

/** Gram matrix Ac Ac^T when N <= f, else covariance Ac^T Ac: the smaller square. */
function smallerSideMatrix(ac: Tensor2D): { matrix: Tensor2D; size: number; gramSide: boolean } {
  const [batch, features] = ac.shape;
  const acT = transpose(ac);
  return batch <= features
    ? { matrix: matMul(ac, acT), size: batch, gramSide: true }
    : { matrix: matMul(acT, ac), size: features, gramSide: false };
}

/**
 * Eigenvectors for the exact path, computed only when a gradient is asked
 * for: a second host decomposition, now with vectors.
 */
function exactGradient(dy: Tensor1D, ac: Tensor2D, value: Tensor1D, traceSafe: Scalar, k: number): Tensor {
  const { matrix, size, gramSide } = smallerSideMatrix(ac);
  const { vectors } = symmetricEigen(matrix.dataSync(), size, true);
  const leading: Tensor2D = tensor2d(Float32Array.from((vectors as Float64Array).subarray(0, k * size)), [k, size]);
  // Feature-space rows v_i. From the Gram side, v_i = Ac^T u_i / ||Ac^T u_i||; a zero row
  // (null direction) contributes nothing to the gradient, as it should.
  let featureVectors: Tensor2D;
  if (gramSide) {
    const p: Tensor2D = matMul(leading, ac);
    const norms = sqrt(sum(square(p), 1, true));
    featureVectors = div(p, maximum(norms, TRACE_FLOOR)) as Tensor2D;
  } else {
    featureVectors = leading;
  }
  const projections: Tensor2D = matMul(ac, transpose(featureVectors));
  return spectrumGradient(dy, ac, value, traceSafe, featureVectors, projections);
}

function spectrumGradient(
  dy: Tensor1D,
  ac: Tensor2D,
  value: Tensor1D,
  traceSafe: Scalar,
  vectors: Tensor2D,
  projections: Tensor2D,
): Tensor {
  const k = value.shape[0];
  const weighted = matMul(mul(projections, reshape(dy, [1, k])), vectors);
  const c = sum(mul(dy, value));
  return mul(sub(weighted, mul(c, ac)), div(2, traceSafe));
}

/** Where a subspace iteration starts, shared by the host and device solves. */
interface StartingBlock {
  /** Block size: k + oversampling, at most the feature count. */
  b: number;
  /** Whether the state's basis fits and is used. */
  warm: boolean;
  /** Seeded gaussian b x f rows: the cold start, the warm nudge's direction, and the host path's spare rows. */
  random: Tensor2D;
  /** The state's basis nudged by a little of `random` when warm, else `random` itself. */
  start: Tensor2D;
  /** Power steps allowed: `iterations` when warm, `coldStartIterations` when cold. */
  steps: number;
}

function startingBlock(features: number, k: number, options: ResolvedSpectrumOptions): StartingBlock {
  const b = Math.min(k + options.oversampling, features);
  const basis = options.state?.basis;
  // A basis disposed from outside (tf.dispose(state.basis)) is no start: begin cold.
  const warm = basis != null && !basis.isDisposed && basis.shape[0] === b && basis.shape[1] === features;
  const random = randomNormal([b, features], 0, 1, 'float32', tfjsSeed(options.seed)) as Tensor2D;
  // The nudge lets directions dropped in a rank-deficient batch come back.
  const start = warm ? (add(basis, mul(random, WARM_START_NUDGE / Math.sqrt(features))) as Tensor2D) : random;
  return { b, warm, random, start, steps: warm ? options.iterations : options.coldStartIterations };
}

/**
 * Block subspace iteration with Rayleigh-Ritz in feature space. Each
 * iteration: P = Ac Y^T, read back the b x b matrices Y Y^T and P^T P, solve
 * the small problem on the host, then Y <- (P T^T)^T Ac = Ritz vectors times
 * Sigma. Stops early when the leading k Ritz values settle.
 */
function subspaceForward(fn: string, ac: Tensor2D, k: number, options: ResolvedSpectrumOptions): ForwardResult {
  const [, features] = ac.shape;
  const { b, random, start, steps: maxIterations } = startingBlock(features, k, options);
  let y: Tensor2D = start;

  let previous: Float64Array | null = null;
  for (let iteration = 0; ; iteration++) {
    const p: Tensor2D = matMul(ac, transpose(y)); // N x b
    const smallMatrices = concat([matMul(y, transpose(y)), matMul(transpose(p), p)], 0);
    const host = smallMatrices.dataSync();
    assertFiniteHost(fn, host);
    const ritz = rayleighRitz(host.subarray(0, b * b), host.subarray(b * b), b);
    const transformT: Tensor2D = transpose(tensor2d(ritz.transform, [b, b])); // b x b, columns combine rows of Y
    const ritzProjections: Tensor2D = matMul(p, transformT); // N x b: Ac R^T
    const done =
      iteration >= maxIterations || (previous !== null && settled(previous, ritz.values, k, options.tolerance));
    if (done) {
      const ritzVectors: Tensor2D = matMul(tensor2d(ritz.transform, [b, b]), y); // b x f, orthonormal rows
      options.state?.update(keep(ritzVectors));
      const traceSafe = safeTrace(ac);
      const leading = rayleighQuotients(ritzProjections, ritzVectors, k);
      return {
        value: div(tensor1d(leading), traceSafe) as Tensor1D,
        traceSafe,
        vectors: slice(ritzVectors, [0, 0], [k, features]),
        projections: slice(ritzProjections, [0, 0], [ac.shape[0], k]),
      };
    }
    previous = ritz.values;
    // Power step on the Ritz vectors; directions dropped as dependent restart from random rows.
    const next: Tensor2D = matMul(transpose(ritzProjections), ac); // b x f
    y = ritz.rank < b ? reviveDeadRows(next, random, ritz.rank) : next;
  }
}

/**
 * The eigenvalue estimates |Ac r|^2 / |r|^2 of the first k Ritz vectors r,
 * descending. The Ritz values of the b x b solve carry the float32 error of
 * P^T P divided by how nearly dependent Y's rows are (down to the solve's
 * dependence tolerance, 1e-5), which in a rank-deficient block lifts
 * directions of rounding noise above the noise floor; the Rayleigh quotient
 * of each Ritz vector does not depend on Y. Read back: k values.
 */
function rayleighQuotients(ritzProjections: Tensor2D, ritzVectors: Tensor2D, k: number): Float32Array {
  const quotients = tidy(() => {
    const energy = slice(sum(square(ritzProjections), 0), 0, k);
    const norms = slice(sum(square(ritzVectors), 1), 0, k);
    // A dropped direction has a zero Ritz vector: 0 / TRACE_FLOOR = 0.
    return div(energy, maximum(norms, TRACE_FLOOR));
  });
  const leading = quotients.dataSync() as Float32Array;
  quotients.dispose();
  // Ritz order; rounding may leave a later quotient a few ulps above an earlier one.
  for (let i = 1; i < k; i++) leading[i] = Math.min(leading[i] as number, leading[i - 1] as number);
  return leading;
}

function reviveDeadRows(next: Tensor2D, random: Tensor2D, rank: number): Tensor2D {
  const [b, features] = next.shape;
  return concat([slice(next, [0, 0], [rank, features]), slice(random, [rank, 0], [b - rank, features])], 0);
}

function settled(previous: Float64Array, current: Float64Array, k: number, tolerance: number): boolean {
  for (let i = 0; i < k; i++) {
    const now = current[i] as number;
    const before = previous[i] as number;
    if (Math.abs(now - before) > tolerance * Math.max(Math.abs(now), Number.MIN_VALUE)) return false;
  }
  return true;
}

/** Jacobi sweeps for the final Rayleigh-Ritz solve on the device; see deviceSymmetricEigen. */
const DEVICE_SWEEPS_WARM = 3;
const DEVICE_SWEEPS_COLD = 6;

/**
 * The same block subspace iteration with nothing read back (`ritzSolve:
 * 'device'`): orthogonal iteration, Q <- orth(Q Sigma) by Gram-Schmidt, for
 * exactly the allowed number of steps, then one Rayleigh-Ritz solve of
 * H = Q Sigma Q^T by device Jacobi. Orthonormalising the rows every step is
 * what keeps float32 from collapsing them onto the leading eigenvector;
 * Rayleigh-Ritz only rotates within the span, so once at the end suffices.
 */
function deviceSubspaceForward(ac: Tensor2D, k: number, options: ResolvedSpectrumOptions): ForwardResult {
  const [batch, features] = ac.shape;
  const { start, steps, warm, random } = startingBlock(features, k, options);
  // A power step orthonormalises its own output, so the start needs it only when no step follows.
  let q: Tensor2D = steps === 0 ? orthonormalizeRows(start, random) : start;
  for (let step = 0; step < steps; step++) {
    // Directions a step loses (below 1e-4 of the leading ones after one step from random rows) restart from random rows.
    const next = tidy(() => orthonormalizeRows(matMul(transpose(matMul(ac, transpose(q))), ac), random));
    // The start is also the random rows when cold: the enclosing tidy frees it.
    if (q !== start) q.dispose();
    q = next;
  }
  const projections: Tensor2D = matMul(ac, transpose(q)); // N x b
  const { values, vectors } = deviceSymmetricEigen(matMul(transpose(projections), projections), warm ? DEVICE_SWEEPS_WARM : DEVICE_SWEEPS_COLD);
  const ritzVectors: Tensor2D = matMul(transpose(vectors), q); // b x f, orthonormal rows, descending
  options.state?.update(keep(ritzVectors));
  const traceSafe = safeTrace(ac);
  return {
    value: div(maximum(slice(values, 0, k), 0), traceSafe) as Tensor1D,
    traceSafe,
    vectors: slice(ritzVectors, [0, 0], [k, features]) as Tensor2D,
    projections: slice(matMul(projections, vectors), [0, 0], [batch, k]) as Tensor2D,
  };
}
