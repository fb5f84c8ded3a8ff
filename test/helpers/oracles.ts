import * as tf from '@tensorflow/tfjs-core';

/** Deterministic PRNG (mulberry32), so test data never depends on tfjs's own RNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples by Box-Muller. */
export function gaussian(seed: number): () => number {
  const u = rng(seed);
  return () => Math.sqrt(-2 * Math.log(u() + 1e-300)) * Math.cos(2 * Math.PI * u());
}

export function gaussianMatrix(rows: number, cols: number, seed: number): number[][] {
  const g = gaussian(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => g()));
}

/** Gram-Schmidt in float64 on columns of a rows x cols matrix (rows >= cols). */
function orthonormalColumns(m: number[][]): number[][] {
  const rows = m.length;
  const cols = (m[0] as number[]).length;
  const q = m.map((r) => r.slice());
  for (let j = 0; j < cols; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        let dot = 0;
        for (let r = 0; r < rows; r++) dot += (q[r] as number[])[i]! * (q[r] as number[])[j]!;
        for (let r = 0; r < rows; r++) (q[r] as number[])[j]! -= dot * (q[r] as number[])[i]!;
      }
    }
    let norm = 0;
    for (let r = 0; r < rows; r++) norm += (q[r] as number[])[j]! ** 2;
    norm = Math.sqrt(norm);
    for (let r = 0; r < rows; r++) (q[r] as number[])[j]! /= norm;
  }
  return q;
}

/**
 * Activations whose centred covariance has exactly the eigenvalues
 * `eigenvalues` (analytic oracle): A = U diag(sqrt(lambda)) V^T with U's
 * columns orthonormal and orthogonal to the all-ones vector, V orthonormal.
 */
export function activationsWithSpectrum(batch: number, eigenvalues: number[], seed: number): number[][] {
  const f = eigenvalues.length;
  // Prepend a ones column so the orthonormalised U is centred.
  const raw = gaussianMatrix(batch, f + 1, seed).map((row) => [1, ...row.slice(1)]);
  const u = orthonormalColumns(raw).map((row) => row.slice(1));
  const v = orthonormalColumns(gaussianMatrix(f, f, seed + 1));
  return u.map((urow) =>
    Array.from({ length: f }, (_, j) => {
      let s = 0;
      for (let i = 0; i < f; i++) s += urow[i]! * Math.sqrt(eigenvalues[i]!) * (v[j] as number[])[i]!;
      return s + 5; // an offset the centring must remove
    }),
  );
}

/** Independent gaussian samples with covariance diag(n^-alpha) in a random basis. */
export function powerLawSamples(batch: number, features: number, alpha: number, seed: number): number[][] {
  const v = orthonormalColumns(gaussianMatrix(features, features, seed + 7));
  const z = gaussianMatrix(batch, features, seed);
  const scales = Array.from({ length: features }, (_, i) => (i + 1) ** (-alpha / 2));
  return z.map((row) =>
    Array.from({ length: features }, (_, j) => {
      let s = 0;
      for (let i = 0; i < features; i++) s += row[i]! * scales[i]! * (v[j] as number[])[i]!;
      return s;
    }),
  );
}

/**
 * Central finite-difference check of a scalar function's gradient. Returns
 * the directional derivatives (analytic, numeric) along the gradient itself,
 * along the centred input (the scale direction, which random directions
 * barely probe), along a single coordinate, and along `random` random unit
 * directions, plus the gradient's norm to scale tolerances by. Evaluated in
 * float32, so callers pick h and tolerances with that in mind.
 */
export function directionalDerivatives(
  f: (x: tf.Tensor) => tf.Scalar,
  x: tf.Tensor,
  random: number,
  h: number,
  seed: number,
): { pairs: Array<[number, number]>; gradNorm: number } {
  const grad = tf.tidy(() => tf.grad(f)(x));
  const directions: Array<() => tf.Tensor> = [
    () => grad,
    () => tf.sub(x, tf.mean(x, 0, true)),
    () => tf.reshape(tf.cast(tf.oneHot(tf.tensor1d([1], 'int32'), x.size), 'float32'), x.shape),
    ...Array.from({ length: random }, (_, d) => () => {
      const g = gaussian(seed + d);
      return tf.tensor(Array.from({ length: x.size }, () => g()), x.shape);
    }),
  ];
  const pairs = directions.map((make) =>
    tf.tidy(() => {
      const dir = make();
      const unit = tf.div(dir, tf.norm(dir));
      const analytic = tf.sum(tf.mul(grad, unit)).dataSync()[0]!;
      const plus = f(tf.add(x, tf.mul(unit, h))).dataSync()[0]!;
      const minus = f(tf.sub(x, tf.mul(unit, h))).dataSync()[0]!;
      return [analytic, (plus - minus) / (2 * h)] as [number, number];
    }),
  );
  const gradNorm = tf.tidy(() => tf.norm(grad).dataSync()[0]!);
  grad.dispose();
  return { pairs, gradNorm };
}

/** Expects every (analytic, numeric) pair to agree within `tolerance` times the gradient norm. */
export function expectGradientMatches(check: { pairs: Array<[number, number]>; gradNorm: number }, tolerance: number): void {
  for (const [analytic, numeric] of check.pairs) {
    const error = Math.abs(analytic - numeric);
    if (!(error <= tolerance * check.gradNorm)) {
      throw new Error(`gradient mismatch: analytic ${analytic}, numeric ${numeric}, |grad| ${check.gradNorm}`);
    }
  }
}

/** Asserts the engine holds no more tensors after `body` than before. */
export async function expectNoLeak(body: () => unknown | Promise<unknown>): Promise<void> {
  const before = tf.memory().numTensors;
  await body();
  const after = tf.memory().numTensors;
  if (after !== before) throw new Error(`tensor leak: ${before} tensors before, ${after} after`);
}

/** Defines one test per case, each expecting `call` to throw exactly `type` with exactly `message`. */
export function pinErrors(cases: Array<[string, () => unknown, ErrorConstructor, string]>, define: (name: string, body: () => void) => void): void {
  for (const [name, call, type, message] of cases) {
    define(name, () => {
      let thrown: unknown;
      try {
        call();
      } catch (error) {
        thrown = error;
      }
      if (!(thrown instanceof type)) throw new Error(`${name}: expected a ${type.name}, got ${String(thrown)}`);
      if ((thrown as Error).message !== message) throw new Error(`${name}: expected message\n  ${message}\ngot\n  ${(thrown as Error).message}`);
    });
  }
}

/** pinErrors for async calls: one test per case, each expecting `call` to reject with exactly `type` and `message`. */
export function pinRejections(cases: Array<[string, () => Promise<unknown>, ErrorConstructor, string]>, define: (name: string, body: () => Promise<void>) => void): void {
  for (const [name, call, type, message] of cases) {
    define(name, async () => {
      let thrown: unknown;
      try {
        await call();
      } catch (error) {
        thrown = error;
      }
      if (!(thrown instanceof type)) throw new Error(`${name}: expected a ${type.name}, got ${String(thrown)}`);
      if ((thrown as Error).message !== message) throw new Error(`${name}: expected message\n  ${message}\ngot\n  ${(thrown as Error).message}`);
    });
  }
}
