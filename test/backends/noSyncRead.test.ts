/**
 * The whole public API on a backend named 'webgpu' whose synchronous read
 * throws. It is the cpu backend underneath, so results can be compared with
 * cpu exactly; the name makes the library treat it as webgpu, whose real
 * synchronous read is unreliable (see src/internal/backendReads.ts). The
 * real webgpu backend is exercised by `npm run test:browser`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eigenspectrum,
  estimateAlpha,
  fgsm,
  measureAlpha,
  pgd,
  robustAccuracy,
  spectralHistory,
  spectralLoss,
  spectralRegularizer,
  SubspaceState,
} from '../../src/index';
import { expectNoLeak, gaussianMatrix, powerLawSamples } from '../helpers/oracles';

const NAME = 'webgpu';
let syncReads = 0;

/** Runs `body` on the no-sync-read backend and returns its result as plain arrays. */
async function onNoSyncRead<T>(body: () => T | Promise<T>): Promise<T> {
  await tf.setBackend(NAME);
  try {
    return await body();
  } finally {
    await tf.setBackend('cpu');
  }
}

// The cpu kernels read their inputs through the backend itself; what must never happen is a
// read through the engine (dataSync, arraySync, bufferSync), which is what webgpu cannot do.
// Moving a cpu tensor onto the backend reads the cpu copy, which is fine; only data that lives
// on the no-sync-read backend counts.
const engine = tf.engine() as unknown as {
  readSync: (dataId: object) => unknown;
  state: { tensorInfo: { get: (dataId: object) => { backend: unknown } | undefined } };
};
const engineReadSync = engine.readSync.bind(engine);

beforeAll(() => {
  tf.registerBackend(NAME, () => new MathBackendCPU());
  for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: NAME });
  engine.readSync = (dataId: object) => {
    if (engine.state.tensorInfo.get(dataId)?.backend === tf.findBackend(NAME)) {
      syncReads++;
      throw new Error('a synchronous read on the no-sync-read backend');
    }
    return engineReadSync(dataId);
  };
});

afterAll(async () => {
  engine.readSync = engineReadSync;
  await tf.setBackend('cpu');
  tf.removeBackend(NAME);
});

const x = () => tf.tensor2d(powerLawSamples(300, 80, 1.5, 4));
const relative = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(b, (v, i) => Math.abs((a[i] as number) - v) / Math.abs(v)));

describe('a backend without synchronous reads (webgpu)', () => {
  it('the backend really refuses synchronous reads', async () => {
    await onNoSyncRead(() => {
      expect(() => tf.scalar(1).dataSync()).toThrow(/a synchronous read/);
    });
  });

  it("eigenspectrum 'auto' runs the subspace method with the device solve: no reads, matches cpu exact", async () => {
    const exact = eigenspectrum(x(), { method: 'exact', k: 10 }).dataSync();
    syncReads = 0;
    const got = await onNoSyncRead(async () => {
      const spectrum = eigenspectrum(x(), { k: 10 });
      return spectrum.data();
    });
    expect(syncReads).toBe(0);
    expect(relative(got, exact)).toBeLessThan(1e-3);
  });

  it('spectralLoss and its gradient, warm-started, read nothing back and match cpu', async () => {
    const loss = (a: tf.Tensor, state: SubspaceState) => spectralLoss(a, { targetAlpha: 2, state });
    const cpuState = new SubspaceState();
    const cpuGradient = tf.grad((a: tf.Tensor) => loss(a, cpuState))(x()).dataSync();
    cpuState.dispose();
    syncReads = 0;
    const gradient = await onNoSyncRead(async () => {
      const state = new SubspaceState();
      let g = tf.grad((a: tf.Tensor) => loss(a, state))(x());
      g.dispose();
      g = tf.grad((a: tf.Tensor) => loss(a, state))(x()); // warm
      const values = await g.data();
      state.dispose();
      return values;
    });
    expect(syncReads).toBe(0);
    const difference = Math.hypot(...Array.from(gradient, (v, i) => v - (cpuGradient[i] as number)));
    expect(difference / Math.hypot(...cpuGradient)).toBeLessThan(1e-2);
  });

  it('spectralLoss + gradient leak no tensors on the device path', async () => {
    await onNoSyncRead(async () => {
      const input = x();
      const state = new SubspaceState();
      const step = () => tf.grad((a: tf.Tensor) => spectralLoss(a, { targetAlpha: 2, state }))(input).dispose();
      step();
      await expectNoLeak(() => {
        for (let i = 0; i < 3; i++) step();
      });
      state.dispose();
      input.dispose();
    });
  });

  it('estimateAlpha (exact by default) reads asynchronously and matches cpu', async () => {
    const cpu = await estimateAlpha(x());
    syncReads = 0;
    const got = await onNoSyncRead(() => estimateAlpha(x()));
    expect(syncReads).toBe(0);
    expect(got.alpha).toBeCloseTo(cpu.alpha, 5);
    expect(got.spectrum.length).toBe(80);
  });

  it('model.fit with SpectralRegularizer and spectralHistory, then measureAlpha, read nothing synchronously', async () => {
    // Everything is created inside, so that it lives on the backend under test.
    const train = async () => {
      const data = tf.tensor2d(gaussianMatrix(64, 12, 3));
      const labels = tf.oneHot(tf.tensor1d(Array.from({ length: 64 }, (_, i) => i % 3), 'int32'), 3);
      const model = tfl.sequential({
        layers: [
          tfl.layers.dense({ units: 16, activation: 'tanh', inputShape: [12], kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
          spectralRegularizer({ targetAlpha: 2, range: [0, 5], name: 'spec' }),
          tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
        ],
      });
      model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
      const history = await model.fit(data, labels, { epochs: 2, batchSize: 32, shuffle: false, verbose: 0, callbacks: [spectralHistory()] });
      const measured = await measureAlpha(model, data);
      return { alpha: history.history.spec_alpha as number[], loss: history.history.loss as number[], measured: measured[0]!.alpha };
    };
    syncReads = 0;
    const got = await onNoSyncRead(train);
    expect(syncReads).toBe(0);
    expect(got.alpha.every(Number.isFinite)).toBe(true);
    expect(got.loss.every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(got.measured)).toBe(true);
  });

  it('fgsm, pgd and robustAccuracy read nothing synchronously and match cpu', async () => {
    const run = async () => {
      const model = tfl.sequential({
        layers: [tfl.layers.dense({ units: 4, activation: 'softmax', inputShape: [10], kernelInitializer: tfl.initializers.glorotNormal({ seed: 5 }) })],
      });
      const input = tf.clipByValue(tf.tensor2d(gaussianMatrix(40, 10, 6)), 0, 1);
      const indices = tf.tensor1d(Array.from({ length: 40 }, (_, i) => i % 4), 'int32');
      const oneHot = tf.oneHot(indices, 4);
      return {
        fgsm: await fgsm(model, input, indices, { epsilon: 0.1 }).data(),
        fgsmOneHot: await fgsm(model, input, oneHot, { epsilon: 0.1 }).data(),
        pgd: await pgd(model, input, indices, { epsilon: 0.1, steps: 5, stepSize: 0.03, randomStart: true, seed: 3 }).data(),
        accuracy: (await robustAccuracy(model, input, indices, { attack: 'fgsm', epsilons: [0, 0.1] })).map((p) => p.accuracy),
      };
    };
    const cpu = await run();
    syncReads = 0;
    const got = await onNoSyncRead(run);
    expect(syncReads).toBe(0);
    expect(Array.from(got.fgsm)).toEqual(Array.from(cpu.fgsm));
    expect(Array.from(got.fgsmOneHot)).toEqual(Array.from(cpu.fgsm));
    expect(Array.from(got.pgd)).toEqual(Array.from(cpu.pgd));
    expect(got.accuracy).toEqual(cpu.accuracy);
  });
});
