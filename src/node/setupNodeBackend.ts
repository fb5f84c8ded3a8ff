import { getBackend, ready, setBackend } from '@tensorflow/tfjs-core';
import { assertKnownOptions, assertOneOf, assertOptionsObject, describe } from '../internal/validate';
import { hasGpuDeviceNode } from './gpuDeviceNodes';
import { setupWasm, ThreadsUnavailableError } from './wasmBackend';
import { loadWebGPUBackend, webgpuDescription } from './webgpuBackend';

/**
 * Which backend {@link setupNodeBackend} should use.
 * @example
 * ```ts
 * const choice: NodeBackendChoice = process.env.CI ? 'cpu' : 'auto';
 * await setupNodeBackend({ backend: choice });
 * ```
 */
export type NodeBackendChoice = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/**
 * Options of {@link setupNodeBackend}.
 * @example
 * ```ts
 * const name = await setupNodeBackend({ backend: 'wasm', threads: 4, quiet: true }); // 'wasm'
 * ```
 */
export interface SetupNodeBackendOptions {
  /**
   * `'auto'` tries tfjs-node (`'tensorflow'`), then WebGPU through Dawn
   * (`'webgpu'`, the optional package `webgpu`) on a hardware adapter only,
   * then wasm with the kernel fixes, then cpu. Naming a backend uses only
   * that one, and fails if it cannot be loaded; a named `'webgpu'` also
   * takes a software adapter (SwiftShader, llvmpipe), which the default
   * never picks because it is slower than wasm.
   * @default 'auto'
   */
  backend?: NodeBackendChoice;
  /**
   * Threads of the wasm backend: an integer >= 1, capped at the cores there
   * are (`os.availableParallelism()`) and at the 8 threads of
   * tfjs-backend-wasm's threaded SIMD build. `1` is the single-threaded SIMD
   * build. Left out, wasm takes every core, and falls back to one thread
   * (saying why) where the threaded build cannot run; a count given here
   * that cannot be had is an error instead. tfjs initialises wasm once per
   * process, so the first call decides. Ignored by cpu (one thread) and
   * tensorflow (TensorFlow's own pool).
   * @default os.availableParallelism()
   */
  threads?: number;
  /**
   * Print nothing. Otherwise the choice is printed once per process.
   * @default false
   */
  quiet?: boolean;
}

/**
 * What {@link setupNodeBackend} set up last, from {@link nodeBackendInfo}.
 * @example
 * ```ts
 * const info: NodeBackendInfo | null = nodeBackendInfo(); // { backend: 'wasm', threads: 4, message: '...' }
 * ```
 */
export interface NodeBackendInfo {
  /** The backend's tfjs name. */
  backend: 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
  /**
   * Threads doing the backend's work. wasm: the pool size read back from the
   * module once its pthread workers run; cpu: 1; tensorflow and webgpu:
   * null (TensorFlow sizes its own pool; webgpu runs on the GPU).
   */
  threads: number | null;
  /** The line setupNodeBackend prints (also when it was quiet). */
  message: string;
}

type BackendName = Exclude<NodeBackendChoice, 'auto'>;

let announced = false;
let lastInfo: NodeBackendInfo | null = null;

const plural = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;

/** Loads a backend package and says what it runs on; wasm is initialised here, with its threads. */
/** `named`: the user asked for this backend, not the default's search (webgpu then takes a software adapter). */
const loaders: Record<BackendName, (fn: string, threads: number | undefined, named: boolean) => Promise<{ threads: number | null; runsOn: string }>> = {
  // Module names in variables so bundlers do not try to resolve optional packages.
  tensorflow: async () => {
    const name = '@tensorflow/tfjs-node';
    await import(name);
    return { threads: null, runsOn: "TensorFlow's own threads" };
  },
  webgpu: async (_fn, _threads, named) => {
    // The default looks for a GPU before loading Dawn, which finds only software adapters without one (and says so on stderr).
    if (!named && !hasGpuDeviceNode()) throw new Error('no GPU device node (/dev/dri/renderD*, /dev/nvidia*, /dev/dxg)');
    await loadWebGPUBackend({ allowSoftware: named });
    return { threads: null, runsOn: 'the GPU' };
  },
  wasm: async (fn, threads) => {
    const setup = await setupWasm(fn, threads);
    return { threads: setup.threads, runsOn: `${plural(setup.threads)} (${setup.why})` };
  },
  cpu: async () => {
    const name = '@tensorflow/tfjs-backend-cpu';
    await import(name);
    return { threads: 1, runsOn: '1 thread' };
  },
};

const descriptions: Record<BackendName, string> = {
  tensorflow: 'tfjs-node, native TensorFlow',
  get webgpu() {
    return webgpuDescription(); // names the adapter
  },
  wasm: 'XNNPACK; transposed matMul routed to the fast path, Conv2DBackpropFilter added, MaxPoolGrad fixed',
  cpu: 'plain JavaScript; slow: install @tensorflow/tfjs-backend-wasm or tfjs-node',
};

/**
 * Picks and initialises the fastest tfjs backend available in Node and
 * returns its name: tfjs-node when it is installed, otherwise webgpu when
 * the package `webgpu` (Dawn) finds a hardware GPU, otherwise wasm with
 * this package's kernel fixes on every core (see
 * {@link SetupNodeBackendOptions.threads}), otherwise cpu. The backend packages are
 * optional peer dependencies, loaded only here. Importing `spectral-reg` or
 * `spectral-reg/node` registers nothing by itself. Unless quiet, it prints
 * once per process which backend runs on how many threads; that line and the
 * thread count are also in {@link nodeBackendInfo}.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { setupNodeBackend } from 'spectral-reg/node';
 *
 * const backend = await setupNodeBackend(); // 'tensorflow', 'webgpu', 'wasm' or 'cpu'
 * // spectral-reg: using the wasm backend with 4 threads (4 cores): XNNPACK; ...
 * ```
 */
export async function setupNodeBackend(options?: SetupNodeBackendOptions): Promise<string> {
  const fn = 'setupNodeBackend';
  assertOptionsObject(fn, options);
  assertKnownOptions(fn, options, ['backend', 'threads', 'quiet']);
  const choice = options?.backend ?? 'auto';
  assertOneOf(fn, 'backend', choice, ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const);
  const quiet = options?.quiet ?? false;
  if (typeof quiet !== 'boolean') throw new TypeError(`${fn}: quiet must be a boolean, got ${describe(quiet)}`);
  // Left undefined: "all cores" is resolved where the cores are counted, and differs from an explicit count on failure.
  const threads = options?.threads;
  if (threads !== undefined && (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1)) {
    const Err = typeof threads === 'number' ? RangeError : TypeError;
    throw new Err(`${fn}: threads must be an integer >= 1, got ${describe(threads)}`);
  }

  const candidates: BackendName[] = choice === 'auto' ? ['tensorflow', 'webgpu', 'wasm', 'cpu'] : [choice];
  const failures: string[] = [];
  for (const name of candidates) {
    try {
      const { threads: running, runsOn } = await loaders[name](fn, threads, choice === name);
      if (!(await setBackend(name))) throw new Error('tf.setBackend returned false');
      await ready();
      const message = `spectral-reg: using the ${name} backend with ${runsOn}: ${descriptions[name]}`;
      lastInfo = { backend: name, threads: running, message };
      if (!announced && !quiet) {
        console.info(message);
        announced = true;
      }
      return getBackend();
    } catch (error) {
      // An explicit thread count that cannot be had is the answer, not a reason to try cpu.
      if (error instanceof ThreadsUnavailableError) throw error;
      failures.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`${fn}: no backend could be set up (${failures.join('; ')})`);
}

/**
 * What the last successful {@link setupNodeBackend} call set up: the backend,
 * the threads doing its work, and the line it prints. null before any.
 *
 * @example
 * ```ts
 * import { nodeBackendInfo, setupNodeBackend } from 'spectral-reg/node';
 *
 * await setupNodeBackend({ quiet: true });
 * const { backend, threads } = nodeBackendInfo()!; // e.g. 'wasm', 4
 * ```
 */
export function nodeBackendInfo(): NodeBackendInfo | null {
  return lastInfo === null ? null : { ...lastInfo };
}
