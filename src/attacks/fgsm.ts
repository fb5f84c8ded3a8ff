import type { Tensor } from '@tensorflow/tfjs-core';
import { prepareAttack, runAttack } from './attackCore';
import type { AttackModel } from './modelAdapter';
import { assertKnownOptions } from '../internal/validate';
import { ATTACK_OPTION_KEYS, resolveAttackOptions, type AttackOptions } from './options';

/**
 * Fast gradient sign method (Goodfellow et al. 2014; paper Eq. 7):
 * x + epsilon * sign(grad_x L(f(x), y)), clipped to `clip`. With
 * `norm: 'l2'` the step is epsilon * grad / ||grad||.
 *
 * `model` is a tfjs-layers LayersModel, run in inference mode (dropout and
 * the like off), or any function (x) => outputs. The model's weights never
 * change, and only the gradient with respect to x is computed. For a
 * LayersModel ending in softmax, the loss is computed on the logits, so a
 * saturated softmax cannot hide the gradient; see {@link AttackOptions.outputs}.
 *
 * `y` is integer class labels [N] or one-hot [N, C]; with `targeted: true`
 * it is the target class, and the step moves towards it.
 * The label values and x's range are checked by a synchronous read, which
 * is skipped on webgpu (unreliable there); nothing else reads back.
 *
 * @example
 * ```ts
 * import { fgsm } from 'spectral-reg';
 *
 * const xAdv = fgsm(model, xTest, yTest, { epsilon: 0.05 });
 * const accuracy = tf.mean(tf.equal(tf.argMax(model.predict(xAdv) as tf.Tensor, 1), yTest));
 * ```
 */
export function fgsm(model: AttackModel, x: Tensor, y: Tensor, options: AttackOptions): Tensor {
  const fn = 'fgsm';
  assertKnownOptions(fn, options, ATTACK_OPTION_KEYS);
  const resolved = resolveAttackOptions(fn, options);
  const prepared = prepareAttack(fn, model, x, y, resolved);
  try {
    // One step of size epsilon from x: PGD's step, which projects and clips.
    return runAttack(prepared, x, 1, resolved.epsilon);
  } finally {
    prepared.dispose();
  }
}
