import { argMax, equal, slice, sum, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { assertFiniteAtLeast, assertIntegerIn, assertKnownOptions, assertOneOf, assertOptionsObject, describe } from '../internal/validate';
import { prepareAttack, runAttack } from './attackCore';
import type { AttackModel } from './modelAdapter';
import { ATTACK_OPTION_KEYS, PGD_OPTION_KEYS, resolveAttackOptions, type PgdOptions } from './options';
import { warnIfUnreachable } from './reach';

/**
 * Progress of {@link robustAccuracy}.
 * @example
 * ```ts
 * await robustAccuracy(model, xTest, yTest, {
 *   attack: 'pgd',
 *   epsilons: [0.05, 0.1],
 *   onProgress: ({ epsilon, done, total, fraction }) => console.log(epsilon, `${done}/${total}`, `${(100 * fraction).toFixed(0)} %`),
 * });
 * ```
 */
export interface RobustAccuracyProgress {
  epsilon: number;
  /** Examples attacked so far for this epsilon, and in all. */
  done: number;
  total: number;
  /** Fraction of the whole sweep (all epsilons) completed, 0..1. */
  fraction: number;
}

/**
 * Options of {@link robustAccuracy}: the attack, the epsilons, and that attack's options.
 * @example
 * ```ts
 * const options: RobustAccuracyOptions = { attack: 'pgd', epsilons: [0, 0.02, 0.05], steps: 40, stepSize: 0.01, batchSize: 250 };
 * const curve = await robustAccuracy(model, xTest, yTest, options);
 * ```
 */
export interface RobustAccuracyOptions extends Omit<PgdOptions, 'epsilon' | 'targeted'> {
  /** Which attack. */
  attack: 'fgsm' | 'pgd';
  /** Attack strengths; 0 gives clean accuracy. */
  epsilons: number[];
  /** Examples attacked at once; bounds memory on large x. @default 500 */
  batchSize?: number;
  /** Called after each batch. @default undefined */
  onProgress?: (progress: RobustAccuracyProgress) => void;
}

/**
 * Accuracy on adversarial inputs at one epsilon.
 * @example
 * ```ts
 * const points: RobustAccuracyPoint[] = await robustAccuracy(model, xTest, yTest, { attack: 'fgsm', epsilons: [0, 0.05] });
 * console.table(points); // [{ epsilon: 0, accuracy: ... }, { epsilon: 0.05, accuracy: ... }]
 * ```
 */
export interface RobustAccuracyPoint {
  epsilon: number;
  accuracy: number;
}

/**
 * Accuracy of the model on adversarial versions of (x, y) for each epsilon:
 * the robustness curves of the paper's Fig. S1. Epsilon 0 gives the clean
 * accuracy. Untargeted. Inputs are attacked `batchSize` at a time, and the
 * event loop gets a turn between batches. With `attack: 'pgd'`, epsilons
 * above `steps` x `stepSize` cannot be reached (see {@link pgd}); one
 * `console.warn` names them.
 *
 * @example
 * ```ts
 * import { robustAccuracy } from 'spectral-reg';
 *
 * const curve = await robustAccuracy(model, xTest, yTest, { attack: 'pgd', epsilons: [0, 0.02, 0.05, 0.1] });
 * // [{ epsilon: 0, accuracy: 0.95 }, { epsilon: 0.02, accuracy: 0.7 }, ...]
 * ```
 */
export async function robustAccuracy(model: AttackModel, x: Tensor, y: Tensor, options: RobustAccuracyOptions): Promise<RobustAccuracyPoint[]> {
  const fn = 'robustAccuracy';
  if (options === undefined) throw new TypeError(`${fn}: options with an attack and epsilons are required, got undefined`);
  assertOptionsObject(fn, options);
  assertOneOf(fn, 'attack', options.attack, ['fgsm', 'pgd'] as const);
  if ((options as { targeted?: unknown }).targeted !== undefined) {
    throw new TypeError(`${fn}: targeted is not supported; robust accuracy is measured against the true labels y`);
  }
  // An option of the other attack (steps with 'fgsm') would be ignored without a word.
  const attackKeys = (options.attack === 'pgd' ? PGD_OPTION_KEYS : ATTACK_OPTION_KEYS).filter((k) => k !== 'epsilon');
  assertKnownOptions(fn, options, ['attack', 'epsilons', 'onProgress', ...attackKeys]);
  const epsilons = options.epsilons;
  if (!Array.isArray(epsilons) || epsilons.length === 0) {
    throw new TypeError(`${fn}: epsilons must be a non-empty array of numbers, got ${describe(epsilons)}`);
  }
  for (const [i, e] of epsilons.entries()) assertFiniteAtLeast(fn, `epsilons[${i}]`, e, 0);
  const batchSize = options.batchSize ?? 500;
  assertIntegerIn(fn, 'batchSize', batchSize, 1, Number.MAX_SAFE_INTEGER);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new TypeError(`${fn}: onProgress must be a function, got ${describe(options.onProgress)}`);
  }
  const { attack, onProgress, epsilons: _e, batchSize: _b, ...attackOptions } = options;
  // Validate everything once, at the largest epsilon, before any work.
  const template = resolveAttackOptions(fn, { ...attackOptions, epsilon: Math.max(...epsilons), batchSize });
  const prepared = prepareAttack(fn, model, x, y, template);
  if (attack === 'pgd') warnIfUnreachable(fn, template, epsilons);
  const total = x.shape[0] as number;
  const trueClass = argMax(prepared.labels, 1);
  try {
    const points: RobustAccuracyPoint[] = [];
    for (let e = 0; e < epsilons.length; e++) {
      const epsilon = epsilons[e] as number;
      const atEpsilon = { ...prepared, options: { ...template, epsilon } };
      let correct = 0;
      for (let start = 0; start < total; start += batchSize) {
        const size = Math.min(batchSize, total - start);
        const correctInChunk = tidy(() => {
          const xPart = slice(x, start, size);
          const part = { ...atEpsilon, labels: slice(prepared.labels, start, size) };
          const steps = attack === 'fgsm' ? 1 : template.steps;
          const stepSize = attack === 'fgsm' ? epsilon : template.stepSize;
          const adversarial = runAttack(part as typeof prepared, xPart, steps, stepSize);
          const predicted = argMax(prepared.adapter.forward(adversarial), 1);
          return sum(equal(predicted, slice(trueClass, start, size)));
        });
        // An asynchronous read: it works on every backend and lets a GPU pipeline drain on its own.
        correct += (await correctInChunk.data())[0] as number;
        correctInChunk.dispose();
        onProgress?.({ epsilon, done: start + size, total, fraction: (e * total + start + size) / (epsilons.length * total) });
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
      }
      points.push({ epsilon, accuracy: correct / total });
    }
    return points;
  } finally {
    trueClass.dispose();
    prepared.dispose();
  }
}
