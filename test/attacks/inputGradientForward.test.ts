import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { buildInputGradientForward } from '../../src/attacks/inputGradientForward';
import { fgsm } from '../../src/index';

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;

function cnn() {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [10, 10, 2], filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 4, kernelSize: 2, strides: 1, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
      tfl.layers.averagePooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dropout({ rate: 0.3 }),
      tfl.layers.dense({ units: 6, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
}

describe('input-gradient forward pass of a LayersModel', () => {
  it('equals model.predict for a CNN (conv, pools, flatten, dropout, dense softmax), with and without the softmax', () => {
    const model = cnn();
    const x = tf.randomUniform([5, 10, 10, 2], 0, 1, 'float32', 4);
    const expected = model.predict(x) as tf.Tensor;
    const full = buildInputGradientForward(model, false)!;
    const logits = buildInputGradientForward(model, true)!;
    expect(maxAbsDiff(full.forward(x), expected)).toBeLessThan(1e-6);
    expect(maxAbsDiff(tf.softmax(logits.forward(x)), expected)).toBeLessThan(1e-6);
    full.dispose();
    logits.dispose();
  });

  it('its input gradient equals autodiff through model.apply', () => {
    const model = cnn();
    const x = tf.randomUniform([3, 10, 10, 2], 0, 1, 'float32', 5);
    const compiled = buildInputGradientForward(model, false)!;
    const weights = tf.tensor1d([1, -2, 0.5, 3, -1, 2]);
    const ours = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(compiled.forward(input), weights)))(x);
    const reference = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(model.apply(input, { training: false }) as tf.Tensor, weights)))(x);
    expect(maxAbsDiff(ours, reference)).toBeLessThan(1e-5);
    compiled.dispose();
  });

  it("a channels-first Flatten moves the channel axis last, as tfjs-layers' does: outputs and input gradient equal model.apply", () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape: [3, 4, 5], dataFormat: 'channelsFirst' }),
        tfl.layers.dense({ units: 6, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 7 }) }),
      ],
    });
    const x = tf.randomUniform([4, 3, 4, 5], 0, 1, 'float32', 8);
    const compiled = buildInputGradientForward(model, false)!;
    expect(maxAbsDiff(compiled.forward(x), model.predict(x) as tf.Tensor)).toBeLessThan(1e-6);
    const weights = tf.tensor1d([1, -2, 0.5, 3, -1, 2]);
    const ours = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(compiled.forward(input), weights)))(x);
    const reference = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(model.apply(input, { training: false }) as tf.Tensor, weights)))(x);
    expect(maxAbsDiff(ours, reference)).toBeLessThan(1e-6);
    compiled.dispose();
  });

  it('a model with an unsupported layer falls back to model.apply, and attacks still work', () => {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ units: 8, inputShape: [5] }), tfl.layers.batchNormalization(), tfl.layers.dense({ units: 3, activation: 'softmax' })],
    });
    expect(buildInputGradientForward(model, true)).toBeNull();
    const x = tf.randomUniform([4, 5], 0, 1, 'float32', 6);
    const adversarial = fgsm(model, x, tf.tensor1d([0, 1, 2, 0], 'int32'), { epsilon: 0.1 });
    expect(maxAbsDiff(adversarial, x)).toBeCloseTo(0.1, 5);
  });

  it('a functional model that is not a linear stack falls back', () => {
    const input = tfl.input({ shape: [4] });
    const a = tfl.layers.dense({ units: 3 }).apply(input) as tfl.SymbolicTensor;
    const b = tfl.layers.dense({ units: 3 }).apply(input) as tfl.SymbolicTensor;
    const merged = tfl.layers.add().apply([a, b]) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: merged });
    expect(buildInputGradientForward(model, false)).toBeNull();
  });
});
