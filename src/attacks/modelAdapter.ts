import { Tensor, tidy, type Tensor2D } from '@tensorflow/tfjs-core';
import { model as functionalModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { describe } from '../internal/validate';
import { buildInputGradientForward } from './inputGradientForward';
import type { ModelOutputs } from './options';

/**
 * A tfjs-layers model, or any function from inputs to outputs [N, C].
 * @example
 * ```ts
 * const asFunction: AttackModel = (x) => tf.matMul(tf.reshape(x, [-1, 784]), weights); // logits
 * const xAdv = fgsm(asFunction, xTest, yTest, { epsilon: 0.1 });
 * ```
 */
export type AttackModel = LayersModel | ((x: Tensor) => Tensor);

/** How an attack evaluates a model: outputs of the kind the loss expects, in inference mode. */
export interface ModelAdapter {
  forward: (x: Tensor) => Tensor2D;
  kind: 'logits' | 'probabilities';
  /** Number of classes when known without running the model. */
  classes: number | null;
  /** Frees what the adapter holds (pre-transposed weights). */
  dispose: () => void;
}

interface ActivationLike {
  apply: (x: Tensor) => Tensor;
  getClassName: () => string;
}
const IDENTITY: ActivationLike = { apply: (x) => x, getClassName: () => 'linear' };

function isLayersModel(value: unknown): value is LayersModel {
  return typeof value === 'object' && value !== null && Array.isArray((value as LayersModel).layers) && typeof (value as LayersModel).apply === 'function';
}

/**
 * An attack perturbs one input and scores one output of class scores
 * [N, C]: a multi-output model returns an array, a multi-input one needs
 * inputs the attack does not have, and a wider output has no class axis.
 */
function assertClassifierModel(fn: string, model: LayersModel): void {
  const count = model.outputs.length;
  if (count !== 1) {
    throw new TypeError(
      `${fn}: model must have a single output (class scores [N, C]), got a LayersModel with ${count} outputs; ` +
        'build one with only the classification output, e.g. tf.model({ inputs: model.inputs, outputs: model.outputs[0] })',
    );
  }
  if (model.inputs.length !== 1) {
    throw new TypeError(`${fn}: model must have a single input (the x that is attacked), got a LayersModel with ${model.inputs.length} inputs`);
  }
  const shape = (model.outputs[0] as { shape: Array<number | null> }).shape;
  if (shape.length !== 2) {
    throw new TypeError(`${fn}: model must output class scores [N, C], got an output of shape [${shape.map((d) => d ?? 'N').join(', ')}]`);
  }
}

/**
 * Wraps the model so attacks see logits where they can. For a LayersModel
 * whose last layer applies softmax (a Dense or Activation layer with
 * `activation: 'softmax'`, or a Softmax layer), the forward pass stops
 * before the softmax: in float32 a confident softmax rounds to exactly 1,
 * its gradient vanishes, and an attack on probabilities silently does
 * nothing (gradient masking).
 */
export function adaptModel(fn: string, model: AttackModel, outputs: ModelOutputs): ModelAdapter {
  if (typeof model === 'function') {
    const checked = (out: unknown): Tensor2D => {
      if (!(out instanceof Tensor)) {
        const got = Array.isArray(out) ? `an array of length ${out.length}` : describe(out);
        throw new TypeError(`${fn}: model must return a single tensor of class scores [N, C], got ${got}`);
      }
      // One score per example ([N] or [N, 1]) has no second class to move towards.
      const perExample = out.rank === 0 ? 1 : out.size / (out.shape[0] as number);
      if (perExample < 2) {
        throw new TypeError(`${fn}: model must return class scores [N, C] with C >= 2, got ${perExample === 1 ? 'one score' : 'no score'} per example (a tensor of rank ${out.rank})`);
      }
      if (out.rank !== 2) throw new TypeError(`${fn}: model must return class scores [N, C], got a tensor of shape [${['N', ...out.shape.slice(1)].join(', ')}]`);
      return out as Tensor2D;
    };
    return { forward: (x) => checked(model(x)), kind: outputs === 'probabilities' ? 'probabilities' : 'logits', classes: null, dispose: () => undefined };
  }
  if (!isLayersModel(model)) {
    throw new TypeError(`${fn}: model must be a tfjs-layers LayersModel or a function (x) => outputs, got ${describe(model)}`);
  }
  assertClassifierModel(fn, model);
  const width = model.outputs[0]?.shape.at(-1);
  const classes = typeof width === 'number' ? width : null;
  if (classes !== null && classes < 2) {
    throw new TypeError(
      `${fn}: model must output class scores [N, C] with C >= 2, got an output of width ${classes}; ` +
        'for a binary classifier with one sigmoid unit, output two scores instead (e.g. a Dense layer of 2 units with softmax)',
    );
  }
  const last = model.layers.at(-1) as unknown as { getClassName(): string; activation?: ActivationLike; input: unknown };
  const endsInSoftmax = last.getClassName() === 'Softmax' || last.activation?.getClassName() === 'softmax';
  const kind = outputs === 'probabilities' ? 'probabilities' : 'logits';
  const dropSoftmax = outputs === 'auto' && endsInSoftmax;
  // Preferred: a forward pass whose gradient reaches only the input (see inputGradientForward.ts).
  const compiled = buildInputGradientForward(model, dropSoftmax);
  if (compiled !== null) return { forward: compiled.forward, kind, classes, dispose: compiled.dispose };

  const none = () => undefined;
  // The output is [N, C] (assertClassifierModel).
  const inference = (x: Tensor) => model.apply(x, { training: false }) as Tensor2D;
  if (!dropSoftmax) return { forward: inference, kind, classes, dispose: none };
  if (last.getClassName() === 'Softmax') {
    const beforeSoftmax = functionalModel({ inputs: model.inputs, outputs: last.input as never });
    return { forward: (x) => beforeSoftmax.apply(x, { training: false }) as Tensor2D, kind: 'logits', classes, dispose: none };
  }
  return {
    forward: (x) => {
      // Swap the softmax for the identity for this one synchronous forward pass.
      const softmax = last.activation as ActivationLike;
      last.activation = IDENTITY;
      try {
        return tidy(() => inference(x));
      } finally {
        last.activation = softmax;
      }
    },
    kind: 'logits',
    classes,
    dispose: none,
  };
}
