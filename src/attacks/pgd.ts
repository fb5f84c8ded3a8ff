import type { Tensor } from '@tensorflow/tfjs-core';
import { prepareAttack, runAttack } from './attackCore';
import type { AttackModel } from './modelAdapter';
import { assertKnownOptions } from '../internal/validate';
import { PGD_OPTION_KEYS, resolveAttackOptions, type PgdOptions } from './options';
import { warnIfUnreachable } from './reach';

/**
 * Projected gradient descent (Madry et al. 2017; paper Eq. 8): `steps`
 * iterations of the FGSM step with size `stepSize`, each followed by
 * projection onto the epsilon ball around the clean x and clipping to
 * `clip`, in that order. The paper's setting is the default: 40 steps of
 * 0.01, L-inf, no random start.
 *
 * With `restarts > 1`, runs after the first start at random points of the
 * ball, and for each input the run with the highest loss (lowest when
 * targeted) is kept. Model handling and labels are as in {@link fgsm}.
 *
 * PGD moves at most `steps` x `stepSize` from its start (0.4 with the
 * defaults), so a larger epsilon cannot be reached: from x, every epsilon
 * above that gives the same attack. That is not an error; a one-time
 * `console.warn` says so and what to raise.
 *
 * @example
 * ```ts
 * import { pgd } from 'spectral-reg';
 *
 * const xAdv = pgd(model, xTest, yTest, { epsilon: 0.05 }); // the paper's PGD-40
 * const l2 = pgd(model, xTest, yTest, { epsilon: 1.5, norm: 'l2', stepSize: 0.1, randomStart: true, restarts: 5 });
 * ```
 */
export function pgd(model: AttackModel, x: Tensor, y: Tensor, options: PgdOptions): Tensor {
  const fn = 'pgd';
  assertKnownOptions(fn, options, PGD_OPTION_KEYS);
  const resolved = resolveAttackOptions(fn, options);
  const prepared = prepareAttack(fn, model, x, y, resolved);
  warnIfUnreachable(fn, resolved, [resolved.epsilon]);
  try {
    return runAttack(prepared, x, resolved.steps, resolved.stepSize);
  } finally {
    prepared.dispose();
  }
}
