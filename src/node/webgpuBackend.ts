import { engine, findBackendFactory, registerBackend, removeBackend, type KernelBackend } from '@tensorflow/tfjs-core';
import { describeAdapter, isSoftwareAdapter, type AdapterInfoLike } from './webgpuAdapter';

/**
 * The webgpu backend in Node, for setupNodeBackend: WebGPU from Dawn (the
 * optional package `webgpu`, a prebuilt dawn.node) under
 * `@tensorflow/tfjs-backend-webgpu` (also optional). Both are loaded here
 * only, by name, so that bundlers and users without them never see them.
 *
 * What tfjs-backend-webgpu 4.22 needs in Node, and how it gets it:
 *
 * - It registers its backend only if `navigator.gpu` exists when it is
 *   imported, and its backend's constructor checks again. Node 20 has no
 *   `navigator`, Node 21+ has one without `gpu`: this module defines
 *   `gpu` on the existing object, or a `navigator` holding only `gpu`.
 * - Its shaders use the WebGPU constants (`GPUBufferUsage`, `GPUMapMode`,
 *   `GPUTextureUsage`, ...) as globals: Dawn's `globals` are copied onto
 *   `globalThis` where a name is not already defined.
 * - Its own backend factory requests a second adapter, and asks for the
 *   feature `bgra8unorm-storage` as an array inside `requiredFeatures`
 *   (`[['bgra8unorm-storage']]`), which works only where the array is
 *   turned into a string. This module replaces that factory with one that
 *   uses the adapter it has already classified and a flat feature list.
 * - Its synchronous read (dataSync, arraySync) copies through an
 *   OffscreenCanvas, which Node lacks: it would fail with
 *   "OffscreenCanvas is not defined". The backend's readSync throws a
 *   message that says to use the asynchronous reads instead. spectral-reg
 *   itself reads asynchronously on webgpu (src/internal/backendReads.ts).
 * - The profiling canvas (`document`, flag WEBGPU_USE_PROFILE_TOOL) and
 *   fromPixels (images, canvases) are browser-only and stay unused.
 */

/** The parts of GPUAdapter used here (the library does not depend on @webgpu/types). */
export interface AdapterLike {
  info?: AdapterInfoLike;
  isFallbackAdapter?: boolean;
  features: { has(feature: string): boolean };
  limits: Record<string, number | undefined> | object;
  requestDevice(descriptor: DeviceDescriptorLike): Promise<unknown>;
}

/** The parts of GPU (navigator.gpu) used here. */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<AdapterLike | null>;
}

/** What the package `webgpu` exports. */
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

/** The GPUDeviceDescriptor this module asks for. */
export interface DeviceDescriptorLike {
  requiredFeatures: string[];
  requiredLimits: Record<string, number>;
}

interface BackendData {
  values?: unknown;
  dtype: string;
}

type WebGPUBackendLike = KernelBackend & { tensorMap: { get(dataId: object): BackendData | undefined } };

interface WebGPUBackendModule {
  WebGPUBackend: new (device: unknown, adapterInfo?: AdapterInfoLike) => WebGPUBackendLike;
}

/** Module names, replaceable in tests to see what happens when one is missing. */
export interface WebGPUPackages {
  dawn: string;
  backend: string;
}

const PACKAGES: WebGPUPackages = { dawn: 'webgpu', backend: '@tensorflow/tfjs-backend-webgpu' };

/** The features tfjs-backend-webgpu 4.22 asks for when the adapter has them, as a flat list. */
const FEATURES = ['timestamp-query', 'bgra8unorm-storage'];

/** The limits tfjs-backend-webgpu 4.22 raises to the adapter's own. */
const LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
];

export const SYNC_READ_MESSAGE =
  'webgpu backend in Node: a synchronous read (dataSync, arraySync, bufferSync, print) cannot work, because tfjs-backend-webgpu reads synchronously through an OffscreenCanvas, which Node lacks; use await tensor.data() or await tensor.array()';

/** The device tfjs-backend-webgpu asks for, with its feature list flattened. */
export function deviceDescriptor(adapter: AdapterLike): DeviceDescriptorLike {
  const limits = adapter.limits as Record<string, number | undefined>;
  const requiredLimits: Record<string, number> = {};
  for (const name of LIMITS) {
    const value = limits[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  return { requiredFeatures: FEATURES.filter((feature) => adapter.features.has(feature)), requiredLimits };
}

/** Whether an import failed because the package itself is not installed (not because it failed to load). */
function notInstalled(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = String(message ?? '');
  const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (package|module)|Could not resolve/.test(text);
  return missing && (text.includes(`'${name}'`) || text.includes(`"${name}"`));
}

const firstLine = (error: unknown) => String((error as Error)?.message ?? error).split('\n')[0];

async function importPackage<T>(name: string, hint = ''): Promise<T> {
  try {
    return (await import(/* @vite-ignore */ name)) as T;
  } catch (error) {
    if (notInstalled(error, name)) throw new Error(`needs the optional package '${name}' (npm install ${name})`);
    throw new Error(`the optional package '${name}' is installed but failed to load (${firstLine(error)})${hint}`);
  }
}

/** `navigator.gpu` if something (a browser-like runtime, the user) already provides it. */
function existingGpu(): GpuLike | undefined {
  return (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu ?? undefined;
}

/** Defines `navigator.gpu`: on Node 21+'s navigator object, or on a new one where there is none (Node 20). */
function exposeGpu(gpu: GpuLike, globals: Record<string, unknown>): void {
  const scope = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(globals)) if (!(name in scope)) scope[name] = value;
  const navigator = scope.navigator as object | undefined | null;
  if (navigator === undefined || navigator === null) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else {
    Object.defineProperty(navigator, 'gpu', { value: gpu, configurable: true, writable: true, enumerable: true });
  }
  if (existingGpu() !== gpu) throw new Error(`could not define navigator.gpu for tfjs-backend-webgpu`);
}

/** The adapter Dawn offers for compute, or a clear error naming what it needs. */
async function requestAdapter(gpu: GpuLike): Promise<AdapterLike> {
  let adapter: AdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    throw new Error(`could not request a GPU adapter (${firstLine(error)})`);
  }
  if (adapter === null || adapter === undefined) {
    throw new Error(
      `found no GPU adapter: Dawn needs a Vulkan driver on Linux (the Vulkan loader libvulkan1 and a GPU's Vulkan driver; Mesa's lavapipe is not enough), Metal on macOS or D3D12 on Windows`,
    );
  }
  return adapter;
}

/** What setupNodeBackend prints for this backend, naming the adapter once one is set up. */
export function webgpuDescription(): string {
  return installed?.description ?? 'Dawn';
}

/** The setup this module registered, while its factory is the registered one. */
let installed: { factory: () => Promise<KernelBackend>; software: boolean; adapter: string; description: string } | null = null;

/**
 * Sets up Dawn's WebGPU and registers tfjs's webgpu backend on its adapter.
 * Errors are single lines without a function name: setupNodeBackend
 * reports them as `webgpu: <message>`. With `allowSoftware` false
 * (the default choice) a software adapter is refused with an error, so that
 * setupNodeBackend goes on to wasm.
 */
export async function loadWebGPUBackend(options: { allowSoftware: boolean; packages?: WebGPUPackages }): Promise<void> {
  const { allowSoftware, packages = PACKAGES } = options;
  if (installed !== null && findBackendFactory('webgpu') === installed.factory) {
    if (installed.software && !allowSoftware) throw softwareRefused(installed.adapter);
    return;
  }
  let gpu = existingGpu();
  let globals: Record<string, unknown> = {};
  if (gpu === undefined) {
    const dawn = await importPackage<DawnModule>(packages.dawn, '; on Linux its dawn.node needs glibc >= 2.34');
    gpu = dawn.create([]);
    globals = dawn.globals;
  }
  const adapter = await requestAdapter(gpu);
  const info: AdapterInfoLike = adapter.info ?? {};
  const software = isSoftwareAdapter(info, adapter.isFallbackAdapter === true);
  const name = describeAdapter(info);
  if (software && !allowSoftware) throw softwareRefused(name);
  // Before the import: tfjs-backend-webgpu looks for navigator.gpu as it loads.
  exposeGpu(gpu, globals);
  const { WebGPUBackend } = await importPackage<WebGPUBackendModule>(packages.backend);
  const factory = async () => withClearSyncReadError(new WebGPUBackend(await adapter.requestDevice(deviceDescriptor(adapter)), info));
  // Replace tfjs's factory (registered as the package loaded), unless a webgpu backend already runs.
  if (!('webgpu' in engine().registry)) {
    if (findBackendFactory('webgpu') !== null) removeBackend('webgpu');
    registerBackend('webgpu', factory, 3);
  }
  const description = `Dawn on ${name}${software ? ', a software adapter: slower than wasm' : ''}`;
  installed = { factory, software, adapter: name, description };
}

function softwareRefused(adapter: string): Error {
  return new Error(`the only adapter is ${adapter}, a software one, slower than wasm; ask for backend 'webgpu' to use it anyway`);
}

/** Replaces "OffscreenCanvas is not defined" from a synchronous read of data on the GPU with a message saying what to do. */
function withClearSyncReadError(backend: WebGPUBackendLike): WebGPUBackendLike {
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (dataId: object) => {
    const data = backend.tensorMap.get(dataId);
    if (data !== undefined && data.values == null && data.dtype !== 'string') throw new Error(SYNC_READ_MESSAGE);
    return readSync(dataId);
  };
  return backend;
}
