import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupNodeBackend } from '../../src/node/index';
import { rng } from '../helpers/oracles';

// The replacements in src/node/wasmSpeedKernels.ts, checked against float64 arithmetic on the host.

beforeAll(async () => {
  await setupNodeBackend({ backend: 'wasm', quiet: true });
});

/** Largest error of `got` against float64 `want`, relative to |want| (absolute below 1e-30, where float32 is denormal). */
function worstRelativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as number;
    worst = Math.max(worst, Math.abs((got[i] as number) - w) / Math.max(Math.abs(w), 1e-30));
  }
  return worst;
}

const float32 = (values: number[]) => Array.from(Float32Array.from(values));

describe('Tanh on wasm (expm1 from XNNPACK elu)', () => {
  it('is within 4e-7 relative of float64 tanh, from 1e-30 to 1e30, and exact at the special values', () => {
    const magnitudes = Array.from({ length: 601 }, (_, i) => 10 ** (-30 + i / 10));
    const x = float32([...magnitudes, ...magnitudes.map((m) => -m), 0.25, -0.25, 1, -1, 0.5493061]);
    const y = tf.tidy(() => tf.tanh(tf.tensor1d(x)).dataSync());
    expect(worstRelativeError(y, x.map(Math.tanh))).toBeLessThan(4e-7);
    const special = tf.tidy(() => Array.from(tf.tanh(tf.tensor1d([0, Infinity, -Infinity, Number.NaN, 20, -20, 1e38])).dataSync()));
    expect(special).toEqual([0, 1, -1, Number.NaN, 1, -1, 1]);
  });

  it('agrees with float64 tanh on random float32 inputs (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: -30, max: 30, noNaN: true }), { minLength: 1, maxLength: 300 }), (values) => {
        const x = float32(values);
        const y = tf.tidy(() => tf.tanh(tf.tensor1d(x)).dataSync());
        return worstRelativeError(y, x.map(Math.tanh)) < 4e-7;
      }),
      { numRuns: 200, seed: 5 },
    );
  });

  it('keeps the gradient 1 - tanh^2 and leaves no tensor behind', () => {
    const x = float32([-3, -0.7, -1e-4, 0, 2e-3, 0.4, 2.5]);
    const before = tf.memory().numTensors;
    const dx = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.tanh(t)))(tf.tensor1d(x)).dataSync());
    // tfjs forms 1 - y^2 in float32, so the error is absolute (about one ulp of 1), on every backend.
    for (const [i, v] of x.entries()) expect(Math.abs((dx[i] as number) - (1 - Math.tanh(v) ** 2))).toBeLessThan(4e-7);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('Sum and Mean over leading axes on wasm (a product with a row of ones)', () => {
  const shapes = fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 });
  it('match float64 sums for every shape, axis set and keepDims (fast-check)', () => {
    fc.assert(
      fc.property(shapes, fc.integer({ min: 0, max: 15 }), fc.boolean(), fc.boolean(), fc.integer(), (shape, axisBits, keepDims, mean, seed) => {
        const u = rng(seed);
        const size = shape.reduce((a, b) => a * b, 1);
        const values = float32(Array.from({ length: size }, () => (u() - 0.5) * 10 ** Math.round(u() * 6 - 3)));
        const axes = shape.map((_, i) => i).filter((i) => (axisBits >> i) & 1);
        const axis = axes.length === 0 ? shape.map((_, i) => i) : axes;
        const got = tf.tidy(() => {
          const x = tf.tensor(values, shape);
          const r = mean ? tf.mean(x, axis, keepDims) : tf.sum(x, axis, keepDims);
          return { shape: r.shape, values: Array.from(r.dataSync()) };
        });
        // float64 oracle, and the sum of magnitudes that bounds float32 rounding.
        const outShape = shape.map((d, i) => (axis.includes(i) ? 1 : d));
        const outSize = outShape.reduce((a, b) => a * b, 1);
        const want = new Float64Array(outSize);
        const scale = new Float64Array(outSize);
        const count = size / outSize;
        for (let flat = 0; flat < size; flat++) {
          let rest = flat;
          let out = 0;
          let stride = 1;
          for (let d = shape.length - 1; d >= 0; d--) {
            const index = rest % (shape[d] as number);
            rest = Math.floor(rest / (shape[d] as number));
            if (!axis.includes(d)) out += index * stride;
            stride *= outShape[d] as number;
          }
          want[out] = (want[out] as number) + (values[flat] as number) / (mean ? count : 1);
          scale[out] = (scale[out] as number) + Math.abs(values[flat] as number) / (mean ? count : 1);
        }
        expect(got.shape).toEqual(keepDims ? outShape : shape.filter((_, i) => !axis.includes(i)));
        for (const [i, v] of got.values.entries()) expect(Math.abs(v - (want[i] as number))).toBeLessThanOrEqual(1e-6 * (scale[i] as number) + 1e-30);
      }),
      { numRuns: 300, seed: 9 },
    );
  });

  it('a column sum of a large matrix, int32 sums exactly, negative axes, and no tensor left', () => {
    const before = tf.memory().numTensors;
    const columns = tf.tidy(() => tf.sum(tf.ones([1500, 7]), 0).dataSync());
    expect(Array.from(columns)).toEqual(Array(7).fill(1500));
    const ints = tf.tidy(() => Array.from(tf.sum(tf.tensor2d([[2147483, 1], [3, -4]], [2, 2], 'int32'), 0).dataSync()));
    expect(ints).toEqual([2147486, -3]);
    const negative = tf.tidy(() => tf.mean(tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]), [-3, -2], true));
    expect(negative.shape).toEqual([1, 1, 2]);
    expect(Array.from(negative.dataSync())).toEqual([4, 5]);
    negative.dispose();
    // NaN and Infinity go through the product as through a sum (XNNPACK's output clamp must not hide them).
    const nonFinite = tf.tidy(() => {
      const x = tf.tensor2d([[Number.NaN, 1, Infinity, Infinity], [2, 3, 5, -Infinity], [1, 1, 1, 1]]);
      return [Array.from(tf.sum(x, 0).dataSync()), Array.from(tf.mean(x, 0).dataSync())];
    });
    const [sums, means] = nonFinite as [number[], number[]];
    expect(sums).toEqual([Number.NaN, 5, Infinity, Number.NaN]);
    expect([means[0], means[2], means[3]]).toEqual([Number.NaN, Infinity, Number.NaN]);
    // The mean weights are 1/3 rounded to float32, so the mean is within a few ulp of 5/3.
    expect(Math.abs((means[1] as number) - 5 / 3)).toBeLessThan(3e-7);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('Identity and same-type Cast on wasm share the data', () => {
  it('a clone outlives its source, casts that change the type still convert, and every buffer is freed', () => {
    const before = tf.memory();
    const source = tf.tensor1d([1.5, -2.25, 3]);
    const copy = tf.clone(source);
    const same = tf.cast(source, 'float32');
    const ints = tf.cast(source, 'int32');
    const dataId = (t: tf.Tensor) => (t as unknown as { dataId: object }).dataId;
    expect(dataId(copy)).toBe(dataId(source));
    expect(dataId(same)).toBe(dataId(source));
    expect(dataId(ints)).not.toBe(dataId(source));
    source.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1.5, -2.25, 3]);
    expect(Array.from(same.dataSync())).toEqual([1.5, -2.25, 3]);
    expect(Array.from(ints.dataSync())).toEqual([1, -2, 3]);
    tf.dispose([copy, same, ints]);
    const after = tf.memory() as tf.MemoryInfo & { numBytesInWasm?: number };
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
    expect(after.numBytes).toBe(before.numBytes);
  });
});
