import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { assertFiniteAtLeast, assertIntegerIn, assertOneOf, assertOptionsObject, describe, optionKeys } from '../internal/validate';

/**
 * The norm of the perturbation ball.
 * @example
 * ```ts
 * const norm: AttackNorm = 'l2';
 * const xAdv = pgd(model, xTest, yTest, { epsilon: 1.5, stepSize: 0.1, norm });
 * ```
 */
export type AttackNorm = 'linf' | 'l2';
/**
 * What the model returns: `'auto'` detects a LayersModel's softmax; functions default to logits.
 * @example
 * ```ts
 * // A plain function that returns probabilities: say so, and the loss is computed accordingly.
 * const outputs: ModelOutputs = 'probabilities';
 * const xAdv = fgsm((x) => model.predict(x) as tf.Tensor, xTest, yTest, { epsilon: 0.05, outputs });
 * ```
 */
export type ModelOutputs = 'auto' | 'logits' | 'probabilities';

/**
 * A per-example loss the attack ascends (descends when targeted):
 * `(labelsOneHot [N, C], outputs [N, C]) => [N]`. `outputs` are logits or
 * probabilities, as resolved from the `outputs` option.
 * @example
 * ```ts
 * // Carlini-Wagner margin on logits instead of cross-entropy: max other logit minus the true one.
 * const margin: AttackLoss = (labels, outputs) =>
 *   tf.sub(tf.max(tf.sub(outputs, tf.mul(labels, 1e9)), 1), tf.sum(tf.mul(labels, outputs), 1)) as tf.Tensor1D;
 * const xAdv = pgd(model, xTest, yTest, { epsilon: 0.05, loss: margin, outputs: 'logits' });
 * ```
 */
export type AttackLoss = (labels: Tensor2D, outputs: Tensor2D, kind: 'logits' | 'probabilities') => Tensor1D;

/**
 * Options shared by {@link fgsm} and {@link pgd}.
 * @example
 * ```ts
 * const options: AttackOptions = { epsilon: 1.5, norm: 'l2', clip: [0, 1], batchSize: 500 };
 * const xAdv = fgsm(model, xTest, yTest, options);
 * ```
 */
export interface AttackOptions {
  /** Radius of the perturbation ball around x. Required; 0 returns x unchanged. */
  epsilon: number;
  /** `'linf'` (sign steps, box projection) or `'l2'` (normalised steps, ball projection). @default 'linf' */
  norm?: AttackNorm;
  /** Valid input range [min, max] applied after every step, or null for none. @default [0, 1] */
  clip?: readonly [number, number] | null;
  /**
   * Per-example loss to ascend.
   * @default categorical cross-entropy, computed from logits when the model's are available
   */
  loss?: AttackLoss;
  /**
   * What the model returns. `'auto'`: for a LayersModel whose last layer
   * applies softmax, the loss is computed on the logits before it (avoids the
   * zero gradient of a saturated softmax); other LayersModels and functions
   * are taken to return logits. Pass `'probabilities'` for a function that
   * returns softmax outputs.
   * @default 'auto'
   */
  outputs?: ModelOutputs;
  /** Move towards class y instead of away from it. @default false */
  targeted?: boolean;
  /** Attack x in chunks of this many examples to bound memory. @default all at once */
  batchSize?: number;
}

/**
 * Options of {@link pgd}.
 * @example
 * ```ts
 * const options: PgdOptions = { epsilon: 0.05, stepSize: 0.01, steps: 40, randomStart: true, restarts: 5, seed: 1 };
 * const xAdv = pgd(model, xTest, yTest, options);
 * ```
 */
export interface PgdOptions extends AttackOptions {
  /**
   * Step size mu of each iteration (the paper's 0.01). `steps` x `stepSize`
   * is the farthest the attack moves; when it is less than epsilon,
   * `pgd` warns once.
   * @default 0.01
   */
  stepSize?: number;
  /** Number of iterations. @default 40 */
  steps?: number;
  /** Start from a uniform random point of the epsilon ball instead of x. @default false */
  randomStart?: boolean;
  /**
   * Number of runs; runs after the first start at random points. Per
   * input, the run with the highest loss (lowest when targeted) is kept.
   * @default 1
   */
  restarts?: number;
  /** Seed of the random starts. @default 0 */
  seed?: number;
}

/** Every key of {@link AttackOptions} (fgsm's options), for the unknown-option check. */
const ATTACK_KEY_SET: Record<keyof AttackOptions, true> = {
  epsilon: true,
  norm: true,
  clip: true,
  loss: true,
  outputs: true,
  targeted: true,
  batchSize: true,
};
export const ATTACK_OPTION_KEYS = optionKeys<AttackOptions>(ATTACK_KEY_SET);

/** Every key of {@link PgdOptions}. */
export const PGD_OPTION_KEYS = optionKeys<PgdOptions>({ ...ATTACK_KEY_SET, stepSize: true, steps: true, randomStart: true, restarts: true, seed: true });

export interface ResolvedAttackOptions {
  epsilon: number;
  norm: AttackNorm;
  clip: readonly [number, number] | null;
  loss: AttackLoss | null;
  outputs: ModelOutputs;
  targeted: boolean;
  batchSize: number | null;
  stepSize: number;
  steps: number;
  randomStart: boolean;
  restarts: number;
  seed: number;
}

export const PGD_DEFAULTS = {
  norm: 'linf',
  clip: [0, 1],
  outputs: 'auto',
  targeted: false,
  stepSize: 0.01,
  steps: 40,
  randomStart: false,
  restarts: 1,
  seed: 0,
} as const;

/** The one place where attack defaults are applied and checked. */
export function resolveAttackOptions(fn: string, options: PgdOptions | undefined): ResolvedAttackOptions {
  if (options === undefined) throw new TypeError(`${fn}: options with an epsilon are required, got undefined`);
  assertOptionsObject(fn, options);
  const o = options;
  assertFiniteAtLeast(fn, 'epsilon', o.epsilon, 0);
  const norm = o.norm ?? PGD_DEFAULTS.norm;
  assertOneOf(fn, 'norm', norm, ['linf', 'l2'] as const);
  const clip = o.clip === undefined ? PGD_DEFAULTS.clip : o.clip;
  if (clip !== null) {
    if (!Array.isArray(clip) || clip.length !== 2 || !clip.every((c) => typeof c === 'number' && Number.isFinite(c))) {
      throw new TypeError(`${fn}: clip must be [min, max] with finite numbers, or null, got ${describe(clip)}`);
    }
    if (!((clip[0] as number) < (clip[1] as number))) {
      throw new RangeError(`${fn}: clip must have min < max, got ${describe(clip)}`);
    }
  }
  if (o.loss !== undefined && typeof o.loss !== 'function') {
    throw new TypeError(`${fn}: loss must be a function (labels, outputs, kind) => per-example losses, got ${describe(o.loss)}`);
  }
  const outputs = o.outputs ?? PGD_DEFAULTS.outputs;
  assertOneOf(fn, 'outputs', outputs, ['auto', 'logits', 'probabilities'] as const);
  const targeted = o.targeted ?? PGD_DEFAULTS.targeted;
  if (typeof targeted !== 'boolean') throw new TypeError(`${fn}: targeted must be a boolean, got ${describe(targeted)}`);
  const batchSize = o.batchSize ?? null;
  if (batchSize !== null) assertIntegerIn(fn, 'batchSize', batchSize, 1, Number.MAX_SAFE_INTEGER);
  const stepSize = o.stepSize ?? PGD_DEFAULTS.stepSize;
  if (typeof stepSize !== 'number' || !Number.isFinite(stepSize) || stepSize <= 0) {
    const Err = typeof stepSize === 'number' ? RangeError : TypeError;
    throw new Err(`${fn}: stepSize must be a finite number > 0, got ${describe(stepSize)}`);
  }
  const steps = o.steps ?? PGD_DEFAULTS.steps;
  assertIntegerIn(fn, 'steps', steps, 1, 1_000_000);
  const randomStart = o.randomStart ?? PGD_DEFAULTS.randomStart;
  if (typeof randomStart !== 'boolean') throw new TypeError(`${fn}: randomStart must be a boolean, got ${describe(randomStart)}`);
  const restarts = o.restarts ?? PGD_DEFAULTS.restarts;
  assertIntegerIn(fn, 'restarts', restarts, 1, 10_000);
  const seed = o.seed ?? PGD_DEFAULTS.seed;
  assertIntegerIn(fn, 'seed', seed, 0, 2 ** 31 - 1);
  return { epsilon: o.epsilon, norm, clip, loss: o.loss ?? null, outputs, targeted, batchSize, stepSize, steps, randomStart, restarts, seed };
}
