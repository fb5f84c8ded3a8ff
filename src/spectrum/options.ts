import type { SubspaceState } from './SubspaceState';
import { syncReadsAreReliable } from '../internal/backendReads';
import { assertFiniteAtLeast, assertIntegerIn, assertOneOf, assertOptionsObject, describe, optionKeys } from '../internal/validate';

/**
 * How the leading eigenvalues are computed.
 * @example
 * ```ts
 * const method: EigenMethod = 'exact'; // the full host eigensolver, for analysis
 * const all = eigenspectrum(hidden, { method, k: 'all' });
 * ```
 */
export type EigenMethod = 'auto' | 'exact' | 'subspace';

export const EIGEN_METHODS: readonly EigenMethod[] = ['auto', 'exact', 'subspace'];

/**
 * Where the subspace method's small b x b solves run.
 * @example
 * ```ts
 * // Read nothing back, whatever the backend (the default on webgpu).
 * const spectrum = eigenspectrum(hidden, { method: 'subspace', ritzSolve: 'device' });
 * ```
 */
export type RitzSolve = 'auto' | 'host' | 'device';

export const RITZ_SOLVES: readonly RitzSolve[] = ['auto', 'host', 'device'];

/**
 * Options shared by every function that computes an eigenspectrum of
 * activations: {@link eigenspectrum}, {@link estimateAlpha},
 * {@link spectralAlpha} and {@link spectralLoss}.
 * @example
 * ```ts
 * const state = new SubspaceState();
 * const common: SpectrumOptions = { method: 'subspace', oversampling: 16, state };
 * const loss = spectralLoss(hidden, { targetAlpha: 2, ...common });
 * ```
 */
export interface SpectrumOptions {
  /**
   * `'exact'`: the full spectrum from a float64 host eigensolver on the
   * smaller of the Gram (N x N) and covariance (f x f) matrices; for analysis
   * and as a reference. `'subspace'`: only the leading eigenvalues, by block
   * subspace iteration with Rayleigh-Ritz, on the device. `'auto'`:
   * `'subspace'` when `4 * (k + oversampling) <= min(N, f)`, else `'exact'`;
   * always `'subspace'` on backends without a reliable synchronous read
   * (webgpu), because `'exact'` reads the whole matrix back synchronously.
   * @default 'auto'
   */
  method?: EigenMethod;
  /**
   * Most subspace iterations per call when warm-started from `state`
   * (`'subspace'` only). Each costs two products of the activations with an
   * f x (k + oversampling) block and one tiny host solve. One is enough
   * during training: the basis improves from step to step.
   * @default 1
   */
  iterations?: number;
  /**
   * Most subspace iterations for a cold start: no `state`, or a state whose
   * shape does not fit (`'subspace'` only).
   * @default 30
   */
  coldStartIterations?: number;
  /**
   * Stop iterating once every leading Ritz value changes by less than this
   * fraction of itself between iterations (`'subspace'` only).
   * @default 1e-4
   */
  tolerance?: number;
  /**
   * Extra basis vectors beyond k (`'subspace'` only). More vectors make the
   * leading k converge faster.
   * @default 10
   */
  oversampling?: number;
  /**
   * Warm-start state (`'subspace'` only). Pass the same {@link SubspaceState}
   * on every call, e.g. every training step, and the iteration starts from the
   * previous call's eigenvectors. Without it each call starts from a seeded
   * random basis.
   * @default undefined
   */
  state?: SubspaceState;
  /**
   * Where the subspace method's small steps run (`'subspace'` only).
   * `'host'`: each iteration reads back two b x b matrices
   * (b = k + oversampling) and solves them in float64 on the CPU, and the
   * iteration stops early once the Ritz values settle (`tolerance`).
   * `'device'`: Gram-Schmidt and a parallel Jacobi eigensolver written in
   * tfjs ops, so nothing at all is read back; the iteration counts are then
   * exact, because stopping early would need a read. `'auto'`: `'device'` on
   * backends whose synchronous read is unreliable (webgpu), `'host'`
   * elsewhere, where the read is cheap.
   * @default 'auto'
   */
  ritzSolve?: RitzSolve;
  /**
   * Seed of the random starting basis (`'subspace'` only).
   * @default 0
   */
  seed?: number;
}

/** Every key of {@link SpectrumOptions}, for the unknown-option check. */
export const SPECTRUM_OPTION_KEYS = optionKeys<SpectrumOptions>({
  method: true,
  iterations: true,
  coldStartIterations: true,
  tolerance: true,
  oversampling: true,
  state: true,
  ritzSolve: true,
  seed: true,
});

/** {@link SpectrumOptions} with every default applied and checked. */
export interface ResolvedSpectrumOptions {
  method: EigenMethod;
  iterations: number;
  coldStartIterations: number;
  tolerance: number;
  oversampling: number;
  ritzSolve: RitzSolve;
  state: SubspaceState | undefined;
  seed: number;
}

export const SPECTRUM_DEFAULTS = {
  method: 'auto',
  iterations: 1,
  coldStartIterations: 30,
  tolerance: 1e-4,
  oversampling: 10,
  ritzSolve: 'auto',
  seed: 0,
} as const satisfies Omit<ResolvedSpectrumOptions, 'state'>;

/** The one place where spectrum defaults are applied and checked. */
export function resolveSpectrumOptions(fn: string, options: SpectrumOptions | undefined): ResolvedSpectrumOptions {
  assertOptionsObject(fn, options);
  const o = options ?? {};
  const resolved: ResolvedSpectrumOptions = {
    method: o.method ?? SPECTRUM_DEFAULTS.method,
    iterations: o.iterations ?? SPECTRUM_DEFAULTS.iterations,
    coldStartIterations: o.coldStartIterations ?? SPECTRUM_DEFAULTS.coldStartIterations,
    tolerance: o.tolerance ?? SPECTRUM_DEFAULTS.tolerance,
    oversampling: o.oversampling ?? SPECTRUM_DEFAULTS.oversampling,
    ritzSolve: o.ritzSolve ?? SPECTRUM_DEFAULTS.ritzSolve,
    state: o.state,
    seed: o.seed ?? SPECTRUM_DEFAULTS.seed,
  };
  assertOneOf(fn, 'method', resolved.method, EIGEN_METHODS);
  assertIntegerIn(fn, 'iterations', resolved.iterations, 0, 1000);
  assertIntegerIn(fn, 'coldStartIterations', resolved.coldStartIterations, 0, 1000);
  assertFiniteAtLeast(fn, 'tolerance', resolved.tolerance, 0);
  assertIntegerIn(fn, 'oversampling', resolved.oversampling, 0, 10_000);
  assertOneOf(fn, 'ritzSolve', resolved.ritzSolve, RITZ_SOLVES);
  assertIntegerIn(fn, 'seed', resolved.seed, 0, 2 ** 31 - 1);
  if (resolved.state !== undefined && !isSubspaceStateLike(resolved.state)) {
    throw new TypeError(`${fn}: state must be a SubspaceState, got ${describe(resolved.state)}`);
  }
  return resolved;
}

/** A brand and the method we call, not instanceof: a second copy of the package (ESM beside CJS) has its own class. */
function isSubspaceStateLike(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'SubspaceState' &&
    typeof (value as { update?: unknown }).update === 'function'
  );
}

/** The concrete method for a spectrum of `k` leading values out of `available`. */
export function chooseMethod(method: EigenMethod, k: number, oversampling: number, available: number): 'exact' | 'subspace' {
  if (method !== 'auto') return method;
  if (!syncReadsAreReliable()) return 'subspace';
  return 4 * (k + oversampling) <= available ? 'subspace' : 'exact';
}

/** The concrete place for the subspace method's small solves on the current backend. */
export function chooseRitzSolve(ritzSolve: RitzSolve): 'host' | 'device' {
  if (ritzSolve !== 'auto') return ritzSolve;
  return syncReadsAreReliable() ? 'host' : 'device';
}
