import {
  add,
  avgPool,
  conv2d,
  customGrad,
  dispose,
  keep,
  matMul,
  maxPool,
  reshape,
  softmax,
  tidy,
  transpose,
  type GradSaveFunc,
  type Tensor,
  type Tensor2D,
  type Tensor4D,
} from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/**
 * An inference-mode forward pass of a LayersModel built for attacks: its
 * gradient reaches the input and nothing else.
 *
 * Through `model.apply`, tfjs-layers runs Dense and Conv2D through fused
 * kernels whose gradient also computes the weight and bias gradients (half
 * again the work of the input gradient), and on wasm the dense backward pass
 * uses matMul with a transpose flag, about 12x slower than without. Here a
 * dense layer's input gradient is dy . W^T with W^T transposed once per
 * attack, convolutions use the plain conv2d op (whose filter gradient is
 * pruned), and the weights are constants. Only linear stacks of common
 * layers are supported; anything else falls back to `model.apply`.
 */
export interface InputGradientForward {
  forward: (x: Tensor) => Tensor2D;
  /** Frees the transposed weights. */
  dispose: () => void;
}

interface LayerLike {
  getClassName(): string;
  name: string;
  input: unknown;
  output: unknown;
  activation?: { apply: (x: Tensor) => Tensor; getClassName(): string };
  kernel?: { read(): Tensor };
  bias?: { read(): Tensor } | null;
  useBias?: boolean;
  strides?: number | number[];
  padding?: 'valid' | 'same' | 'causal';
  dataFormat?: string;
  dilationRate?: number | number[];
  poolSize?: number | number[];
  targetShape?: number[];
  inboundNodes?: unknown[];
}

/** Layers that are the identity in inference mode. */
const INFERENCE_IDENTITY = new Set(['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'SpectralRegularizer', 'InputLayer']);

type Step = (x: Tensor) => Tensor;

const pair = (v: number | number[] | undefined): [number, number] =>
  Array.isArray(v) ? [v[0] as number, (v[1] ?? v[0]) as number] : [v ?? 1, v ?? 1];

/**
 * Builds the forward pass, or returns null when the model is not a linear
 * stack of supported layers. With `logits`, a final softmax is left out.
 */
export function buildInputGradientForward(model: LayersModel, logits: boolean): InputGradientForward | null {
  const layers = model.layers as unknown as LayerLike[];
  // A linear stack: every layer has one inbound node, fed by the previous layer's output.
  for (let i = 1; i < layers.length; i++) {
    const layer = layers[i] as LayerLike;
    if ((layer.inboundNodes?.length ?? 0) !== 1 || layer.input !== (layers[i - 1] as LayerLike).output) return null;
  }
  const owned: Tensor[] = [];
  const steps: Step[] = [];
  const release = () => dispose(owned);
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i] as LayerLike;
    const isLast = i === layers.length - 1;
    const step = stepFor(layer, isLast && logits, owned);
    if (step === null) {
      release();
      return null;
    }
    steps.push(step);
  }
  return {
    forward: (x) => {
      let h = x;
      for (const step of steps) h = step(h);
      return (h.rank === 2 ? h : reshape(h, [h.shape[0] as number, -1])) as Tensor2D;
    },
    dispose: release,
  };
}

function activationOf(layer: LayerLike, dropSoftmax: boolean): Step | null {
  const activation = layer.activation;
  if (activation === undefined) return (x) => x;
  const name = activation.getClassName();
  if (name === 'linear' || (dropSoftmax && name === 'softmax')) return (x) => x;
  return (x) => activation.apply(x);
}

function stepFor(layer: LayerLike, dropSoftmax: boolean, owned: Tensor[]): Step | null {
  const kind = layer.getClassName();
  if (INFERENCE_IDENTITY.has(kind)) return (x) => x;
  if (kind === 'Flatten') {
    // As tfjs-layers' Flatten: channels-first data has its channel axis moved last before flattening.
    const channelsFirst = layer.dataFormat === 'channelsFirst';
    return (x) => {
      const ordered = channelsFirst && x.rank > 2 ? transpose(x, [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2), 1]) : x;
      return reshape(ordered, [x.shape[0] as number, -1]);
    };
  }
  if (kind === 'Reshape' && layer.targetShape) {
    const target = layer.targetShape;
    return (x) => reshape(x, [x.shape[0] as number, ...target]);
  }
  if (kind === 'Activation') return activationOf(layer, dropSoftmax);
  if (kind === 'Softmax') return dropSoftmax ? (x) => x : (x) => softmax(x);
  if (kind === 'Dense') {
    const inputShape = (layer.input as { shape: unknown[] }).shape;
    if (inputShape.length !== 2 || !layer.kernel) return null;
    const kernel = layer.kernel.read() as Tensor2D;
    const kernelT = keep(tidy(() => transpose(kernel)));
    owned.push(kernelT);
    const bias = layer.bias ? layer.bias.read() : null;
    const act = activationOf(layer, dropSoftmax);
    if (act === null) return null;
    // The product's only differentiable input is x; its gradient uses the pre-transposed kernel.
    const product = customGrad((...args: (Tensor | GradSaveFunc)[]) => ({
      value: matMul(args[0] as Tensor2D, kernel),
      gradFunc: (dy: Tensor) => matMul(dy as Tensor2D, kernelT),
    }));
    return (x) => {
      const z = product(x);
      return act(bias ? add(z, bias) : z);
    };
  }
  if (kind === 'Conv2D') {
    if (layer.dataFormat !== 'channelsLast' || !layer.kernel || layer.padding === 'causal') return null;
    const kernel = layer.kernel.read() as Tensor4D;
    const bias = layer.bias ? layer.bias.read() : null;
    const strides = pair(layer.strides);
    const dilations = pair(layer.dilationRate);
    const padding = layer.padding ?? 'valid';
    const act = activationOf(layer, dropSoftmax);
    if (act === null) return null;
    return (x) => {
      const z = conv2d(x as Tensor4D, kernel, strides, padding, 'NHWC', dilations);
      return act(bias ? add(z, bias) : z);
    };
  }
  if (kind === 'MaxPooling2D' || kind === 'AveragePooling2D') {
    if (layer.dataFormat !== 'channelsLast') return null;
    const size = pair(layer.poolSize);
    const strides = pair(layer.strides ?? layer.poolSize);
    const padding = (layer.padding ?? 'valid') as 'valid' | 'same';
    const pool = kind === 'MaxPooling2D' ? maxPool : avgPool;
    return (x) => pool(x as Tensor4D, size, strides, padding);
  }
  return null;
}
