/**
 * setupNodeBackend's default with WebGPU, without a GPU: the package
 * `webgpu` (Dawn) is replaced by a fake whose adapter says what a test
 * needs. 'auto' never takes a software adapter, and takes a hardware one
 * before wasm. The real Dawn on SwiftShader is tested in webgpu.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setupNodeBackend } from '../../src/node/index';
import { loadWebGPUBackend } from '../../src/node/webgpuBackend';
import type { AdapterInfoLike } from '../../src/node/webgpuAdapter';

const fake = vi.hoisted(() => ({
  info: null as AdapterInfoLike | null,
  requestAdapter: [] as unknown[],
  requestDevice: [] as unknown[],
  gpu: null as unknown,
}));

// This machine may have no GPU device node; the tests say whether the default sees one.
const devices = vi.hoisted(() => ({ present: true }));
vi.mock('../../src/node/gpuDeviceNodes', () => ({ hasGpuDeviceNode: () => devices.present }));

vi.mock('webgpu', () => ({
  create: () => {
    fake.gpu = {
      requestAdapter: async (options: unknown) => {
        fake.requestAdapter.push(options);
        if (fake.info === null) return null;
        return {
          info: fake.info,
          features: new Set(['timestamp-query', 'bgra8unorm-storage', 'subgroups']),
          limits: { maxBufferSize: 1024, maxComputeWorkgroupSizeX: 256 },
          requestDevice: async (descriptor: unknown) => {
            fake.requestDevice.push(descriptor);
            throw new Error('the fake adapter has no device');
          },
        };
      },
    };
    return fake.gpu;
  },
  globals: { GPUBufferUsage: { MAP_READ: 1 } },
}));

const swiftShader: AdapterInfoLike = {
  vendor: 'google',
  architecture: 'swiftshader',
  device: 'swiftshader-device-subzero-',
  description: 'SwiftShader driver 5.0.0',
  isFallbackAdapter: true,
};
const nvidia: AdapterInfoLike = { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA: 550.54.15', isFallbackAdapter: false };

const scope = globalThis as { navigator?: { gpu?: unknown }; GPUBufferUsage?: unknown };

beforeEach(() => {
  devices.present = true;
  fake.requestAdapter.length = 0;
  fake.requestDevice.length = 0;
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("setupNodeBackend's default with only a software adapter", () => {
  it('goes on to wasm without exposing navigator.gpu, and says nothing about webgpu', async () => {
    fake.info = swiftShader;
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    expect(await setupNodeBackend()).toBe('wasm');
    expect(fake.requestAdapter).toEqual([{ powerPreference: 'high-performance' }]);
    expect(fake.requestDevice).toEqual([]);
    expect(scope.navigator?.gpu).toBeUndefined();
    expect(scope.GPUBufferUsage).toBeUndefined();
    expect(info.mock.calls).toHaveLength(1);
    expect(info.mock.calls[0]?.[0]).toMatch(
      /^spectral-reg: using the wasm backend with \d+ threads? \([^)]*\): XNNPACK; transposed matMul routed to the fast path, Conv2DBackpropFilter added, MaxPoolGrad fixed$/,
    );
  });

  it('the refusal, as the error of a default choice that finds nothing else', async () => {
    fake.info = swiftShader;
    await expect(loadWebGPUBackend({ allowSoftware: false })).rejects.toThrow(
      new Error("the only adapter is SwiftShader driver 5.0.0 (google, swiftshader), a software one, slower than wasm; ask for backend 'webgpu' to use it anyway"),
    );
  });
});

describe("setupNodeBackend's default on a Linux machine without a GPU device node", () => {
  it('does not load Dawn at all, and goes on to wasm', async () => {
    devices.present = false;
    fake.info = nvidia;
    vi.spyOn(console, 'info').mockImplementation(() => undefined);
    expect(await setupNodeBackend()).toBe('wasm');
    expect(fake.requestAdapter).toEqual([]);
    expect(scope.navigator?.gpu).toBeUndefined();
  });

  it('a named webgpu backend still loads Dawn (a software adapter is then allowed)', async () => {
    devices.present = false;
    fake.info = null;
    await expect(setupNodeBackend({ backend: 'webgpu', quiet: true })).rejects.toThrow(/found no GPU adapter/);
    expect(fake.requestAdapter).toEqual([{ powerPreference: 'high-performance' }]);
  });
});

describe('missing pieces', () => {
  it('no adapter at all: the error names the Vulkan requirement', async () => {
    fake.info = null;
    await expect(setupNodeBackend({ backend: 'webgpu', quiet: true })).rejects.toThrow(
      new Error(
        "setupNodeBackend: no backend could be set up (webgpu: found no GPU adapter: Dawn needs a Vulkan driver on Linux (the Vulkan loader libvulkan1 and a GPU's Vulkan driver; Mesa's lavapipe is not enough), Metal on macOS or D3D12 on Windows)",
      ),
    );
  });

  it('a missing package is named with its install command', async () => {
    fake.info = nvidia;
    await expect(loadWebGPUBackend({ allowSoftware: false, packages: { dawn: 'spectral-reg-no-dawn', backend: '@tensorflow/tfjs-backend-webgpu' } })).rejects.toThrow(
      new Error("needs the optional package 'spectral-reg-no-dawn' (npm install spectral-reg-no-dawn)"),
    );
    expect(fake.requestAdapter).toEqual([]);
  });
});

describe("setupNodeBackend's default with a hardware adapter", () => {
  // Runs last in this file: it defines navigator.gpu and registers the webgpu backend.
  it('tries webgpu before wasm, on the adapter it classified, with a flat feature list', async () => {
    fake.info = nvidia;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.spyOn(console, 'info').mockImplementation(() => undefined);
    // The fake device fails, so setupNodeBackend goes on to wasm; what matters is what webgpu asked for.
    expect(await setupNodeBackend()).toBe('wasm');
    expect(scope.navigator?.gpu).toBe(fake.gpu);
    expect(scope.GPUBufferUsage).toEqual({ MAP_READ: 1 });
    // One adapter request, this module's: tfjs's own factory (which would request another) was replaced.
    expect(fake.requestAdapter).toEqual([{ powerPreference: 'high-performance' }]);
    expect(fake.requestDevice).toEqual([{ requiredFeatures: ['timestamp-query', 'bgra8unorm-storage'], requiredLimits: { maxBufferSize: 1024, maxComputeWorkgroupSizeX: 256 } }]);
    expect(warn.mock.calls.map((call) => String(call[0])).join('\n')).toMatch(/Initialization of backend webgpu failed/);
    expect(tf.getBackend()).toBe('wasm');
  });
});
