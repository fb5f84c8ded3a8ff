import { keep, type Tensor2D } from '@tensorflow/tfjs-core';

/**
 * Warm-start memory for the `'subspace'` eigenspectrum method.
 *
 * During training the leading eigenvectors of a layer's activations move
 * slowly from step to step, so starting each subspace iteration from the
 * previous step's eigenvectors converges in a few iterations where a random
 * start needs many. The state keeps that basis: a (k + oversampling) x f
 * tensor of orthonormal rows in feature space. Features persist across
 * batches, so the basis stays meaningful when the batch changes.
 *
 * The state owns one tensor. Call {@link SubspaceState.dispose} when you are
 * done with it. A state whose shape no longer fits (a different feature count
 * or k) is replaced on the next call, not reused.
 *
 * @example
 * ```ts
 * const state = new SubspaceState();
 * for (const batch of batches) {
 *   const loss = spectralLoss(hidden(batch), { targetAlpha: 2, method: 'subspace', state });
 *   // ...
 * }
 * state.dispose();
 * ```
 */
export class SubspaceState {
  /** Brand checked at run time, so plain objects are rejected clearly. */
  readonly kind = 'SubspaceState' as const;
  private current: Tensor2D | null = null;

  /** The kept basis (rows are orthonormal feature-space vectors), or null before the first call. */
  get basis(): Tensor2D | null {
    return this.current;
  }

  /** Number of calls that updated this state. */
  updates = 0;

  /**
   * Replaces the basis. Internal: called by the spectrum computation with a
   * tensor it owns; the previous basis is disposed.
   * @internal
   */
  update(next: Tensor2D): void {
    const previous = this.current;
    this.current = keep(next);
    this.updates++;
    if (previous !== null && previous !== next) previous.dispose();
  }

  /** Forgets the basis so the next call starts cold. */
  reset(): void {
    this.current?.dispose();
    this.current = null;
  }

  /** Frees the kept tensor. The state may be used again afterwards and starts cold. */
  dispose(): void {
    this.reset();
  }
}
