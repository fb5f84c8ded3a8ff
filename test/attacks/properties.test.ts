import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it, type MockInstance, vi } from 'vitest';
import { fgsm, pgd } from '../../src/index';
import type { AttackNorm } from '../../src/attacks/options';
import { rng } from '../helpers/oracles';

const FEATURES = 6;
const CLASSES = 4;

/** A dense 6 -> 4 softmax classifier with seeded weights, built on the backend under test. */
const buildModel = () => tfl.sequential({
  layers: [
    tfl.layers.dense({
      units: CLASSES,
      activation: 'softmax',
      inputShape: [FEATURES],
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 7 }),
      biasInitializer: tfl.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 8 }),
    }),
  ],
});

/**
 * A clip range with float32-exact ends (multiples of 1/8), so that x drawn
 * inside it stays inside after rounding to float32; or none.
 */
const clipArb = fc.option(
  fc.record({ lo: fc.integer({ min: -8, max: 8 }), width: fc.integer({ min: 1, max: 16 }) }).map(({ lo, width }) => [lo / 8, (lo + width) / 8] as const),
  { nil: null },
);

/** A batch of 3 to 8 examples inside `clip` (or in [-1, 1] without one), with labels. */
const dataArb = fc.record({ batch: fc.integer({ min: 3, max: 8 }), seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }) });

function makeData(batch: number, seed: number, clip: readonly [number, number] | null) {
  const u = rng(seed);
  const [lo, hi] = clip ?? [-1, 1];
  const xs = Array.from({ length: batch }, () => Array.from({ length: FEATURES }, () => lo + (hi - lo) * u()));
  const ys = Array.from({ length: batch }, () => Math.floor(CLASSES * u()));
  return { x: tf.tensor2d(xs), y: tf.tensor1d(ys, 'int32') };
}

/**
 * L-inf: float32 rounding of x +- epsilon adds at most half an ulp of |x| <= 2.
 * L2 epsilons start at 0.05 (or are 0), where the same rounding, summed over
 * 6 coordinates, stays well inside the relative 1e-5.
 */
const normEpsilonArb = fc.oneof(
  fc.record({ norm: fc.constant<AttackNorm>('linf'), epsilon: fc.oneof(fc.constant(0), fc.double({ min: 1e-3, max: 1, noNaN: true })) }),
  fc.record({ norm: fc.constant<AttackNorm>('l2'), epsilon: fc.oneof(fc.constant(0), fc.double({ min: 0.05, max: 3, noNaN: true })) }),
);

/** Runs `body` in a tfjs scope that frees every tensor it made (tidy, for a non-tensor result). */
function inScope<T>(body: () => T): T {
  tf.engine().startScope();
  try {
    return body();
  } finally {
    tf.engine().endScope();
  }
}

/** Checks, in float64 on the host, that xAdv is in the epsilon ball around x and in the clip range; returns a reason or null. */
function violation(xAdv: tf.Tensor, x: tf.Tensor, norm: AttackNorm, epsilon: number, clip: readonly [number, number] | null): string | null {
  if (xAdv.shape.join() !== x.shape.join()) return `shape [${xAdv.shape}] instead of [${x.shape}]`;
  const adv = xAdv.arraySync() as number[][];
  const clean = x.arraySync() as number[][];
  for (const [n, row] of adv.entries()) {
    const delta = row.map((v, i) => v - (clean[n] as number[])[i]!);
    if (norm === 'linf') {
      const d = Math.max(...delta.map(Math.abs));
      if (!(d <= epsilon + 1e-6)) return `example ${n}: max |xAdv - x| = ${d} > epsilon ${epsilon} + 1e-6`;
    } else {
      const d = Math.sqrt(delta.reduce((s, v) => s + v * v, 0));
      if (!(d <= epsilon * (1 + 1e-5))) return `example ${n}: ||xAdv - x|| = ${d} > epsilon ${epsilon} (1 + 1e-5)`;
    }
    if (clip !== null && !row.every((v) => v >= clip[0] && v <= clip[1])) return `example ${n}: ${row} outside clip [${clip}]`;
    if (!row.every(Number.isFinite)) return `example ${n}: not finite: ${row}`;
  }
  return null;
}

for (const backend of ['cpu', 'wasm']) describe(`properties (fast-check) on ${backend}: attacks stay in the epsilon ball and the clip range`, () => {
  // pgd warns about epsilons out of its reach; that is tested elsewhere.
  let warn: MockInstance<typeof console.warn>;
  let model: tfl.Sequential;
  beforeAll(async () => {
    await tf.setBackend(backend);
    model = buildModel();
    warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    warn.mockRestore();
    model.dispose();
    await tf.setBackend('cpu');
  });

  it('fgsm, for any epsilon, norm, clip, targeted and batchSize', () => {
    fc.assert(
      fc.property(
        dataArb,
        normEpsilonArb,
        clipArb,
        fc.boolean(),
        fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
        ({ batch, seed }, { norm, epsilon }, clip, targeted, batchSize) => {
          const problem = inScope(() => {
            const { x, y } = makeData(batch, seed, clip);
            return violation(fgsm(model, x, y, { epsilon, norm, clip, targeted, batchSize }), x, norm, epsilon, clip);
          });
          if (problem !== null) throw new Error(problem);
        },
      ),
      { numRuns: 30, seed: 11 },
    );
  });

  it('pgd, for any epsilon, stepSize, steps, norm, clip, randomStart, restarts, targeted and batchSize', () => {
    fc.assert(
      fc.property(
        dataArb,
        normEpsilonArb,
        clipArb,
        fc.record({
          stepSize: fc.double({ min: 1e-3, max: 0.5, noNaN: true }),
          steps: fc.integer({ min: 1, max: 5 }),
          randomStart: fc.boolean(),
          restarts: fc.integer({ min: 1, max: 3 }),
          targeted: fc.boolean(),
          batchSize: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        ({ batch, seed }, { norm, epsilon }, clip, options) => {
          const problem = inScope(() => {
            const { x, y } = makeData(batch, seed, clip);
            return violation(pgd(model, x, y, { ...options, epsilon, norm, clip }), x, norm, epsilon, clip);
          });
          if (problem !== null) throw new Error(problem);
        },
      ),
      { numRuns: 30, seed: 12 },
    );
  });
});
