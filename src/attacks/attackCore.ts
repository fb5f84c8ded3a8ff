import {
  add,
  broadcastTo,
  clipByValue,
  clone,
  concat,
  div,
  dispose,
  grad,
  greater,
  less,
  log,
  logSumExp,
  customGrad,
  exp,
  zerosLike,
  type GradSaveFunc,
  max,
  maximum,
  min,
  minimum,
  mul,
  neg,
  pow,
  randomNormal,
  randomUniform,
  reshape,
  sign,
  slice,
  sqrt,
  square,
  sub,
  sum,
  tidy,
  type Tensor,
  where,
  type Tensor1D,
  type Tensor2D,
} from '@tensorflow/tfjs-core';
import { syncReadsAreReliable } from '../internal/backendReads';
import { tfjsSeed } from '../internal/seed';
import { checkAttackInputs } from './inputs';
import { oneHotLabels } from './labels';
import { adaptModel, type AttackModel, type ModelAdapter } from './modelAdapter';
import type { AttackLoss, ResolvedAttackOptions } from './options';

/**
 * Probabilities are clipped to [1e-7, 1 - 1e-7] before the log, exactly as
 * Keras's categorical cross-entropy on probabilities does, so attacks on a
 * probability-output function match what Keras users measure, including its
 * zero gradient once a softmax output rounds to 1 (see docs/attacks.md).
 */
const PROBABILITY_EPSILON = 1e-7;
const NORM_FLOOR = 1e-12;

/**
 * Cross-entropy from logits with a gradient that keeps its relative
 * precision when the softmax saturates. Autodiff of logSoftmax computes the
 * true class's gradient as p_y - 1, which rounds to 0 in float32 once
 * p_y > 1 - 6e-8 (a margin of about 17 nats), so the step loses the pull
 * away from the true class. Here it is computed as -sum over the other
 * classes of p_c, exact until those p_c underflow (about 87 nats).
 * Labels must be one-hot (prepareAttack guarantees it).
 */
const crossEntropyFromLogits = customGrad((...args: (Tensor | GradSaveFunc)[]) => {
  const [labels, logits, save] = args as [Tensor2D, Tensor2D, GradSaveFunc];
  const lse = logSumExp(logits, 1, true);
  save([labels, logits, lse]);
  return {
    value: sub(reshape(lse, [-1]), sum(mul(labels, logits), 1)),
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const [y, z, logSum] = saved as [Tensor2D, Tensor2D, Tensor2D];
      const p = exp(sub(z, logSum));
      const others = mul(p, sub(1, y));
      const dz = sub(others, mul(y, sum(others, 1, true)));
      return [zerosLike(y), mul(dz, reshape(dy, [-1, 1]))];
    },
  };
});

/** Categorical cross-entropy per example, from logits (see above) or from probabilities. */
export const crossEntropy: AttackLoss = (labels, outputs, kind) =>
  kind === 'logits'
    ? (crossEntropyFromLogits(labels, outputs) as Tensor1D)
    : (neg(sum(mul(labels, log(clipByValue(outputs, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON))), 1)) as Tensor1D);

/** Everything an attack needs, checked once: adapter, one-hot labels, options. */
export interface PreparedAttack {
  adapter: ModelAdapter;
  labels: Tensor2D;
  options: ResolvedAttackOptions;
  /** Frees the labels and the adapter's tensors. */
  dispose: () => void;
}

/** Validates model, x and y against each other and the options. The caller calls `dispose()`. */
export function prepareAttack(fn: string, model: AttackModel, xIn: unknown, yIn: unknown, options: ResolvedAttackOptions): PreparedAttack {
  const { x, y } = checkAttackInputs(fn, xIn, yIn);
  // The range check reads x back; where synchronous reads are unreliable (webgpu) it is skipped.
  if (options.clip !== null && syncReadsAreReliable()) {
    const [lo, hi] = options.clip;
    const [xMin, xMax] = tidy(() => [min(x).dataSync()[0] as number, max(x).dataSync()[0] as number]);
    if (!(xMin >= lo && xMax <= hi)) {
      throw new RangeError(`${fn}: x must lie within clip [${lo}, ${hi}], got values in [${xMin}, ${xMax}]`);
    }
  }
  const adapter = adaptModel(fn, model, options.outputs);
  try {
    const classes = adapter.classes ?? tidy(() => adapter.forward(slice(x, 0, 1)).shape[1] as number);
    const labels = oneHotLabels(fn, y, classes);
    return {
      adapter,
      labels,
      options,
      dispose: () => {
        labels.dispose();
        adapter.dispose();
      },
    };
  } catch (error) {
    adapter.dispose();
    throw error;
  }
}

/** Per-example L2 norm over all non-batch axes, shaped to broadcast against x. */
function exampleNorms(t: Tensor): Tensor {
  const batch = t.shape[0] as number;
  const norms = sqrt(sum(square(reshape(t, [batch, -1])), 1, true));
  return reshape(norms, [batch, ...t.shape.slice(1).map(() => 1)]);
}

function lossOf(prepared: PreparedAttack, labels: Tensor2D) {
  const loss = prepared.options.loss ?? crossEntropy;
  return (input: Tensor) => loss(labels, prepared.adapter.forward(input), prepared.adapter.kind);
}

/** Projects onto the epsilon ball around `origin`, then clips to the valid range. */
function projectAndClip(candidate: Tensor, origin: Tensor, o: ResolvedAttackOptions): Tensor {
  let projected: Tensor;
  if (o.norm === 'linf') {
    // As cleverhans' clip_eta: the step clipped to [-epsilon, epsilon] (clipByValue is one fast kernel everywhere).
    projected = add(origin, clipByValue(sub(candidate, origin), -o.epsilon, o.epsilon));
  } else {
    const delta = sub(candidate, origin);
    const scale = minimum(1, div(o.epsilon, maximum(exampleNorms(delta), NORM_FLOOR)));
    projected = add(origin, mul(delta, scale));
  }
  return o.clip === null ? projected : clipByValue(projected, o.clip[0], o.clip[1]);
}

/**
 * One gradient step from `current` (the FGSM step when current = origin and
 * stepSize = epsilon): move along sign(grad) (L-inf) or grad / ||grad|| (L2)
 * of the loss, away from y (towards it when targeted), then project and clip.
 */
export function gradientStep(prepared: PreparedAttack, origin: Tensor, labels: Tensor2D, current: Tensor, stepSize: number): Tensor {
  const o = prepared.options;
  return tidy(() => {
    const lossFn = lossOf(prepared, labels);
    const g = grad((input: Tensor) => sum(lossFn(input)))(current);
    const direction = o.norm === 'linf' ? sign(g) : div(g, maximum(exampleNorms(g), NORM_FLOOR));
    const moved = add(current, mul(direction, o.targeted ? -stepSize : stepSize));
    return projectAndClip(moved, origin, o);
  });
}

/** A uniformly random point of the epsilon ball around x, clipped. */
function randomStartPoint(x: Tensor, o: ResolvedAttackOptions, seed: number): Tensor {
  return tidy(() => {
    if (o.norm === 'linf') return projectAndClip(add(x, randomUniform(x.shape, -o.epsilon, o.epsilon, 'float32', tfjsSeed(seed))), x, o);
    // Uniform in the L2 ball: gaussian direction, radius epsilon * u^(1/d).
    const direction = randomNormal(x.shape, 0, 1, 'float32', tfjsSeed(seed));
    const unit = div(direction, maximum(exampleNorms(direction), NORM_FLOOR));
    const d = x.size / (x.shape[0] as number);
    const radius = mul(o.epsilon, pow(randomUniform([x.shape[0] as number, ...x.shape.slice(1).map(() => 1)], 0, 1, 'float32', tfjsSeed(seed + 1)), 1 / d));
    return projectAndClip(add(x, mul(unit, radius)), x, o);
  });
}

/** Runs `steps` gradient steps from `start`; intermediate iterates are disposed as we go. */
function iterate(prepared: PreparedAttack, origin: Tensor, labels: Tensor2D, start: Tensor, steps: number, stepSize: number): Tensor {
  let current = start;
  for (let s = 0; s < steps; s++) {
    const next = gradientStep(prepared, origin, labels, current, stepSize);
    if (current !== start) current.dispose();
    current = next;
  }
  return current;
}

/** The attack on one chunk, with restarts keeping the best run per input by loss. */
function attackChunk(prepared: PreparedAttack, x: Tensor, labels: Tensor2D, steps: number, stepSize: number): Tensor {
  const o = prepared.options;
  let best: Tensor | null = null;
  let bestLoss: Tensor | null = null;
  for (let run = 0; run < o.restarts; run++) {
    const start = o.randomStart || run > 0 ? randomStartPoint(x, o, o.seed + 2 * run) : x;
    const adversarial = iterate(prepared, x, labels, start, steps, stepSize);
    if (start !== x && start !== adversarial) start.dispose();
    if (o.restarts === 1) return adversarial;
    const runLoss = tidy(() => lossOf(prepared, labels)(adversarial));
    if (best === null || bestLoss === null) {
      best = adversarial;
      bestLoss = runLoss;
      continue;
    }
    const previousBest: Tensor = best;
    const previousLoss: Tensor = bestLoss;
    // tidy hands its returned tensors to the enclosing scope. keep() would
    // take them out of every scope, so a caller's tidy could never free them.
    const [nextBest, nextLoss] = tidy(() => {
      const better = o.targeted ? less(runLoss, previousLoss) : greater(runLoss, previousLoss);
      const mask = reshape(better, [x.shape[0] as number, ...x.shape.slice(1).map(() => 1)]);
      return [where(broadcastTo(mask, x.shape), adversarial, previousBest), where(better, runLoss, previousLoss)];
    });
    dispose([previousBest, previousLoss, adversarial, runLoss]);
    best = nextBest as Tensor;
    bestLoss = nextLoss as Tensor;
  }
  bestLoss?.dispose();
  return best as Tensor;
}

/** Runs an attack over x in chunks of batchSize; returns adversarial inputs of x's shape. */
export function runAttack(prepared: PreparedAttack, x: Tensor, steps: number, stepSize: number): Tensor {
  const o = prepared.options;
  if (o.epsilon === 0) return clone(x);
  const batch = x.shape[0] as number;
  const chunk = o.batchSize ?? batch;
  if (chunk >= batch) return attackChunk(prepared, x, prepared.labels, steps, stepSize);
  const parts: Tensor[] = [];
  try {
    for (let startRow = 0; startRow < batch; startRow += chunk) {
      const size = Math.min(chunk, batch - startRow);
      const xPart = slice(x, startRow, size);
      const yPart = slice(prepared.labels, startRow, size) as Tensor2D;
      parts.push(attackChunk(prepared, xPart, yPart, steps, stepSize));
      dispose([xPart, yPart]);
    }
    return concat(parts, 0);
  } finally {
    dispose(parts);
  }
}
