import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { estimateAlpha, measureAlpha, spectralRegularizer } from '../../src/index';
import { expectNoLeak, gaussianMatrix } from '../helpers/oracles';

function model() {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 40, activation: 'tanh', inputShape: [30], name: 'first', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      spectralRegularizer({ targetAlpha: 2, name: 'spec' }),
      tfl.layers.dense({ units: 20, activation: 'tanh', name: 'second', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
      tfl.layers.dense({ units: 4, activation: 'softmax', name: 'out' }),
    ],
  });
}

describe('measureAlpha', () => {
  const x = () => tf.tensor2d(gaussianMatrix(200, 30, 3));

  it('measures every layer wide enough for the range, equal to estimateAlpha on its activations; pass-through regularisers only by name', async () => {
    const m = model();
    const input = x();
    const results = await measureAlpha(m, input, { method: 'exact' });
    expect(results.map((r) => r.layer)).toEqual(['first', 'second']);
    const first = tfl.model({ inputs: m.inputs, outputs: m.getLayer('first').output as tfl.SymbolicTensor }).predict(input) as tf.Tensor;
    const direct = await estimateAlpha(first, { method: 'exact' });
    expect(results[0]!.alpha).toBeCloseTo(direct.alpha, 6);
    expect(results[0]!.features).toBe(40);
    // Named, the pass-through layer is measured, and sees what the layer before it produced.
    const [spec] = await measureAlpha(m, input, { method: 'exact', layers: ['spec'] });
    expect(spec!.alpha).toBeCloseTo(results[0]!.alpha, 6);
  });

  it('measures only the named layers, in the order given', async () => {
    const results = await measureAlpha(model(), x(), { layers: ['second', 'first'], range: [0, 5] });
    expect(results.map((r) => r.layer)).toEqual(['second', 'first']);
    expect(results.every((r) => Number.isFinite(r.alpha) && r.r2 > 0)).toBe(true);
  });

  it('gives no bare alpha for a layer whose range reaches eigenvalues at rounding noise: a 10-way softmax has rank 9', async () => {
    const m = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 40, activation: 'tanh', inputShape: [30], name: 'first', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
        tfl.layers.dense({ units: 10, activation: 'softmax', name: 'out', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }),
      ],
    });
    const [first, out] = await measureAlpha(m, x(), { layers: ['first', 'out'] });
    // The subspace method computes range[1] values, all resolved here.
    expect(first!.numericalRank).toBe(10);
    expect(Number.isFinite(first!.alpha)).toBe(true);
    expect(out).toMatchObject({ layer: 'out', numericalRank: 9, alpha: Number.NaN, r2: Number.NaN, intercept: Number.NaN });
    expect(Array.from(out!.spectrum.slice(9))).toEqual([0]);
    // Fitted within its resolved ranks it has an alpha again.
    const [short] = await measureAlpha(m, x(), { layers: ['out'], range: [0, 9] });
    expect(Number.isFinite(short!.alpha)).toBe(true);
  });

  it('a constant (dead) layer gets rank 0 and no alpha, and the other layers are still measured', async () => {
    const m = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 40, activation: 'tanh', inputShape: [30], name: 'first', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
        tfl.layers.dense({ units: 20, name: 'dead', kernelInitializer: 'zeros', biasInitializer: 'ones' }),
      ],
    });
    const input = x();
    const [first, dead] = await measureAlpha(m, input);
    expect(Number.isFinite(first!.alpha)).toBe(true);
    expect(dead).toMatchObject({ layer: 'dead', features: 20, numericalRank: 0, alpha: Number.NaN, r2: Number.NaN, intercept: Number.NaN });
    expect(Array.from(dead!.spectrum)).toEqual(Array(10).fill(0));
    await expectNoLeak(() => measureAlpha(m, input, { layers: ['dead'] }));
    input.dispose();
  });

  it('NaN or Infinity in activations is an error that names the layer', async () => {
    const input = tf.tidy(() => tf.concat([tf.tensor2d(gaussianMatrix(199, 30, 3)), tf.fill([1, 30], Number.NaN)]));
    await expect(measureAlpha(model(), input, { layers: ['second'] })).rejects.toThrow(
      new RangeError('measureAlpha (layer "second"): activations contain NaN or Infinity, so their spectrum is undefined'),
    );
    input.dispose();
  });

  it('does not change the model and leaks no tensors', async () => {
    const m = model();
    const input = x();
    const before = m.getWeights().map((w) => Array.from(w.dataSync()));
    await measureAlpha(m, input);
    await expectNoLeak(() => measureAlpha(m, input, { batchSize: 64 }));
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
  });

  it('errors name the function, the argument and the value', async () => {
    await expect(measureAlpha({} as never, x())).rejects.toThrow(new TypeError('measureAlpha: model must be a tfjs-layers LayersModel, got an object'));
    await expect(measureAlpha(model(), [[1]] as never)).rejects.toThrow(new TypeError('measureAlpha: x must be a tf.Tensor or an array of them, got [[1]]'));
    await expect(measureAlpha(model(), x(), { layers: ['nope'] })).rejects.toThrow(
      new RangeError('measureAlpha: no layer named "nope"; the model has first, spec, second, out'),
    );
    await expect(measureAlpha(model(), x(), { layers: ['out'] })).rejects.toThrow(
      new RangeError('measureAlpha: cannot measure layer "out": its 4 features are fewer than range end 10'),
    );
    await expect(measureAlpha(model(), x(), { batchSize: 0 })).rejects.toThrow(
      new RangeError('measureAlpha: batchSize must be an integer in [1, 9007199254740991], got 0'),
    );
  });
});
