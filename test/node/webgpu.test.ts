/**
 * The webgpu backend in Node on a real WebGPU implementation: Dawn (the
 * package `webgpu`) on SwiftShader's Vulkan driver, which Debian's
 * chromium package ships. Debian's Mesa lavapipe is rejected by Dawn, so
 * the test points the Vulkan loader at SwiftShader before Dawn loads; each
 * vitest file runs in its own process, so nothing else sees the setting.
 *
 * Results are compared with the cpu backend on tiny inputs (SwiftShader is
 * a CPU emulation of a GPU: slow, and its timings mean nothing).
 *
 * Without the Vulkan loader (libvulkan1) or SwiftShader the tests are
 * skipped with a message, except under CI, where they fail.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { estimateAlpha, fgsm, spectralLoss, spectralRegularizer } from '../../src/index';
import { setupNodeBackend } from '../../src/node/index';
import { SYNC_READ_MESSAGE } from '../../src/node/webgpuBackend';
import { gaussianMatrix, powerLawSamples } from '../helpers/oracles';

const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
// Read by the Vulkan loader when Dawn creates its instance: set before the package loads.
process.env.VK_ICD_FILENAMES = ICD;

/** Why Dawn cannot run here, or null when it finds an adapter. */
async function unavailable(): Promise<string | null> {
  const install = 'apt-get install chromium libvulkan1';
  if (!existsSync(ICD)) return `no SwiftShader Vulkan driver at ${ICD} (${install})`;
  try {
    const name = 'webgpu';
    const { create } = (await import(/* @vite-ignore */ name)) as { create: (flags: string[]) => { requestAdapter(): Promise<unknown> } };
    if ((await create([]).requestAdapter()) === null) return `Dawn found no Vulkan adapter with ${ICD} (${install})`;
    return null;
  } catch (error) {
    return `Dawn did not load: ${(error as Error).message.split('\n')[0]}`;
  }
}

const reason = await unavailable();
if (reason !== null && !process.env.CI) console.warn(`webgpu tests skipped: ${reason}`);

/** Runs `body` on cpu and then on webgpu, each with tensors it creates itself. */
async function cpuAndWebgpu<T>(body: () => Promise<T>): Promise<{ cpu: T; webgpu: T }> {
  await tf.setBackend('cpu');
  const cpu = await body();
  await tf.setBackend('webgpu');
  try {
    return { cpu, webgpu: await body() };
  } finally {
    await tf.setBackend('cpu');
  }
}

const relativeNorm = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.hypot(...Array.from(a, (v, i) => v - (b[i] as number))) / Math.hypot(...Array.from(b));
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - (b[i] as number))));

// webgpu's defaults (no reliable synchronous read): the subspace method with the solve on the device.
// cpu is asked for the same algorithm, so that the comparison measures the backend, not the method.
const onDevice = { method: 'subspace', ritzSolve: 'device' } as const;

describe.skipIf(reason !== null && !process.env.CI)('webgpu in Node: Dawn on SwiftShader', () => {
  beforeAll(() => {
    if (reason !== null) throw new Error(`webgpu tests: ${reason}`);
  });

  it("the default choice refuses SwiftShader (a software adapter) and goes on to wasm", async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    expect(await setupNodeBackend({ quiet: true })).toBe('wasm');
    expect(info).not.toHaveBeenCalled();
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
    info.mockRestore();
  });

  it("backend 'webgpu' takes it, and its one-line message names the adapter", async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    expect(await setupNodeBackend({ backend: 'webgpu' })).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(info).toHaveBeenCalledTimes(1);
    expect(info.mock.calls[0]![0]).toMatch(
      /^spectral-reg: using the webgpu backend with the GPU: Dawn on SwiftShader driver [\d.]+ \(google, swiftshader\), a software adapter: slower than wasm$/,
    );
    info.mockRestore();
    // Once set up, the default still does not pick it.
    expect(await setupNodeBackend({ quiet: true })).toBe('wasm');
    await tf.setBackend('cpu');
  });

  it('synchronous reads of data on the GPU fail with a message saying what to use', async () => {
    await tf.setBackend('webgpu');
    try {
      const onHost = tf.tensor1d([1, 2, 3]);
      expect(Array.from(onHost.dataSync())).toEqual([1, 2, 3]); // not yet uploaded: no GPU read
      const onGpu = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
      expect(() => onGpu.dataSync()).toThrow(new Error(SYNC_READ_MESSAGE));
      expect(Array.from(await onGpu.data())).toEqual([11]);
    } finally {
      await tf.setBackend('cpu');
    }
  });

  it('spectralLoss and its gradient match cpu', async () => {
    const { cpu, webgpu } = await cpuAndWebgpu(async () => {
      const x = tf.tensor2d(powerLawSamples(48, 16, 1.5, 4));
      const { value, grad } = tf.valueAndGrad((a: tf.Tensor) => spectralLoss(a, { targetAlpha: 2, range: [0, 5], ...onDevice }))(x);
      return { loss: (await value.data())[0]!, gradient: await grad.data() };
    });
    expect(Math.abs(webgpu.loss - cpu.loss)).toBeLessThan(1e-3 * Math.max(1, Math.abs(cpu.loss)));
    expect(relativeNorm(webgpu.gradient, cpu.gradient)).toBeLessThan(1e-2);
    expect(Math.hypot(...cpu.gradient)).toBeGreaterThan(0);
  });

  it('estimateAlpha matches cpu', async () => {
    const { cpu, webgpu } = await cpuAndWebgpu(() => estimateAlpha(tf.tensor2d(powerLawSamples(48, 16, 1.5, 5)), { range: [0, 8] }));
    expect(Math.abs(webgpu.alpha - cpu.alpha)).toBeLessThan(1e-3);
    expect(cpu.alpha).toBeGreaterThan(0.5);
  });

  it('a regularised trainOnBatch step matches cpu', async () => {
    const initial = [gaussianMatrix(12, 16, 1), gaussianMatrix(16, 3, 2)].map((m) => m.map((row) => row.map((v) => 0.3 * v)));
    const { cpu, webgpu } = await cpuAndWebgpu(async () => {
      const model = tfl.sequential({
        layers: [
          tfl.layers.dense({ units: 16, activation: 'tanh', inputShape: [12] }),
          spectralRegularizer({ targetAlpha: 2, strength: 1, range: [0, 5], ...onDevice }),
          tfl.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      });
      model.setWeights([tf.tensor2d(initial[0]!), tf.zeros([16]), tf.tensor2d(initial[1]!), tf.zeros([3])]);
      model.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' });
      const x = tf.tensor2d(gaussianMatrix(48, 12, 3));
      const y = tf.oneHot(tf.tensor1d(Array.from({ length: 48 }, (_, i) => i % 3), 'int32'), 3);
      const loss = (await model.trainOnBatch(x, y)) as number;
      const weights = await Promise.all(model.getWeights().map((w) => w.data()));
      model.dispose();
      return { loss, weights };
    });
    expect(Math.abs(webgpu.loss - cpu.loss)).toBeLessThan(1e-4);
    for (const [i, w] of cpu.weights.entries()) expect(maxAbs(webgpu.weights[i]!, w)).toBeLessThan(1e-4);
    // The step moved the weights: the comparison is not between two unchanged models.
    expect(maxAbs(cpu.weights[0]!, initial[0]!.flat())).toBeGreaterThan(1e-3);
  });

  it('fgsm matches cpu', async () => {
    const { cpu, webgpu } = await cpuAndWebgpu(async () => {
      const model = tfl.sequential({
        layers: [tfl.layers.dense({ units: 4, activation: 'softmax', inputShape: [10], kernelInitializer: tfl.initializers.glorotNormal({ seed: 5 }) })],
      });
      model.setWeights([tf.tensor2d(gaussianMatrix(10, 4, 7)), tf.zeros([4])]);
      const x = tf.clipByValue(tf.add(tf.mul(tf.tensor2d(gaussianMatrix(24, 10, 6)), 0.2), 0.5), 0, 1);
      const labels = tf.tensor1d(Array.from({ length: 24 }, (_, i) => i % 4), 'int32');
      const adversarial = await fgsm(model, x, labels, { epsilon: 0.1 }).data();
      model.dispose();
      return { adversarial, moved: maxAbs(adversarial, await x.data()) };
    });
    // Float rounding may flip the sign step of a near-zero gradient: allow 1 % of the inputs to differ.
    const differing = Array.from(webgpu.adversarial).filter((v, i) => Math.abs(v - cpu.adversarial[i]!) > 1e-4).length;
    expect(differing).toBeLessThanOrEqual(Math.floor(0.01 * cpu.adversarial.length));
    expect(cpu.moved).toBeCloseTo(0.1, 5);
  });
});
