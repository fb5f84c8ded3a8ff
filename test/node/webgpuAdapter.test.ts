/**
 * The adapter classifier behind setupNodeBackend's default: software
 * adapters (slower than wasm) are never picked by 'auto'. Adapter-info
 * objects as Dawn and Chrome report them; no GPU needed.
 */
import { describe, expect, it } from 'vitest';
import { describeAdapter, isSoftwareAdapter, type AdapterInfoLike } from '../../src/node/webgpuAdapter';
import { deviceDescriptor } from '../../src/node/webgpuBackend';

const software: Record<string, AdapterInfoLike> = {
  // What Dawn 0.6.2 reports here for Chromium's vk_swiftshader_icd.json.
  'SwiftShader (Dawn)': {
    vendor: 'google',
    architecture: 'swiftshader',
    device: 'swiftshader-device-subzero-',
    description: 'SwiftShader driver 5.0.0',
    isFallbackAdapter: true,
  },
  'SwiftShader without the fallback flag (older Dawn)': { vendor: 'google', architecture: 'swiftshader', device: '', description: '' },
  'SwiftShader by ids only (Google 0x1ae0, device 0xc0de)': { vendor: '0x1ae0', architecture: '', device: '0x0000c0de', description: '' },
  'llvmpipe through lavapipe': { vendor: 'mesa', architecture: '', device: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' },
  'lavapipe by Mesa vendor id only': { vendor: '0x10005', architecture: '', device: '0x0', description: '' },
  'lavapipe by name': { vendor: '', architecture: '', device: '', description: 'Lavapipe Vulkan driver' },
  'WARP (D3D12)': { vendor: 'microsoft', architecture: '', device: '0x8c', description: 'Microsoft Basic Render Driver' },
  'WARP by ids only': { vendor: '0x1414', architecture: '', device: '0x008c', description: '' },
  'an unnamed fallback adapter': { isFallbackAdapter: true },
};

const hardware: Record<string, AdapterInfoLike> = {
  'NVIDIA (Vulkan)': { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA: 550.54.15 550.54.15.0', isFallbackAdapter: false },
  'NVIDIA by ids': { vendor: '0x10de', architecture: '', device: '0x2335', description: '' },
  // Mesa's hardware drivers name Mesa in the description but report the GPU maker as vendor.
  'AMD through Mesa radv': { vendor: 'amd', architecture: 'rdna-2', device: '', description: 'radv Mesa 22.3.6' },
  'Intel through Mesa anv': { vendor: 'intel', architecture: 'gen-12lp', device: '', description: 'Intel open-source Mesa driver: Mesa 23.2.1' },
  'Apple M1 (Metal)': { vendor: 'apple', architecture: 'metal-3', device: '', description: 'Apple M1 Max' },
  'Microsoft vendor id on another device (not WARP)': { vendor: '0x1414', architecture: '', device: '0x1234', description: '' },
  'an adapter that says nothing': {},
};

describe('isSoftwareAdapter', () => {
  for (const [name, info] of Object.entries(software)) {
    it(`software: ${name}`, () => {
      expect(isSoftwareAdapter(info)).toBe(true);
    });
  }
  for (const [name, info] of Object.entries(hardware)) {
    it(`hardware: ${name}`, () => {
      expect(isSoftwareAdapter(info)).toBe(false);
    });
  }

  it("the adapter's own isFallbackAdapter flag (older WebGPU) counts too", () => {
    expect(isSoftwareAdapter({}, true)).toBe(true);
    expect(isSoftwareAdapter(hardware['NVIDIA (Vulkan)']!, true)).toBe(true);
  });
});

describe('describeAdapter', () => {
  it('names the adapter by description, then vendor and architecture', () => {
    expect(describeAdapter(software['SwiftShader (Dawn)']!)).toBe('SwiftShader driver 5.0.0 (google, swiftshader)');
    expect(describeAdapter(hardware['Apple M1 (Metal)']!)).toBe('Apple M1 Max (apple, metal-3)');
    expect(describeAdapter({ vendor: '0x1ae0', device: '0xc0de' })).toBe('0xc0de (0x1ae0)');
    expect(describeAdapter({ vendor: 'nvidia', architecture: '' })).toBe('nvidia');
    expect(describeAdapter({ description: 'Apple M1 Max' })).toBe('Apple M1 Max');
    expect(describeAdapter({})).toBe('an adapter that does not name itself');
  });
});

describe('deviceDescriptor', () => {
  it("asks for tfjs-backend-webgpu's features as a flat list (not ['bgra8unorm-storage'] nested) and the adapter's own limits", () => {
    const adapter = {
      features: new Set(['subgroups', 'bgra8unorm-storage', 'timestamp-query']),
      limits: {
        maxComputeWorkgroupStorageSize: 32768,
        maxComputeWorkgroupsPerDimension: 65535,
        maxStorageBufferBindingSize: 1073741824,
        maxBufferSize: 1073741824,
        maxComputeWorkgroupSizeX: 256,
        maxComputeInvocationsPerWorkgroup: 256,
        maxTextureDimension2D: 8192,
      },
      requestDevice: () => Promise.resolve({}),
    };
    expect(deviceDescriptor(adapter)).toEqual({
      requiredFeatures: ['timestamp-query', 'bgra8unorm-storage'],
      requiredLimits: {
        maxComputeWorkgroupStorageSize: 32768,
        maxComputeWorkgroupsPerDimension: 65535,
        maxStorageBufferBindingSize: 1073741824,
        maxBufferSize: 1073741824,
        maxComputeWorkgroupSizeX: 256,
        maxComputeInvocationsPerWorkgroup: 256,
      },
    });
    expect(deviceDescriptor({ ...adapter, features: new Set<string>(), limits: {} })).toEqual({ requiredFeatures: [], requiredLimits: {} });
  });
});
