import os from 'node:os';
import { Worker as NodeWorker, type TransferListItem } from 'node:worker_threads';
import { engine, env, setBackend } from '@tensorflow/tfjs-core';
import type { ThreadGlue } from './wasmThreadGlue';

/** The parts of `@tensorflow/tfjs-backend-wasm`'s exports used here. */
export interface WasmPackage {
  setThreadsCount(threads: number): void;
  getThreadsCount(): number;
}

interface PThreadLike {
  runningWorkers: Array<{ unref(): void }>;
}

const FLAG = 'WASM_HAS_MULTITHREAD_SUPPORT';

/** The wasm backend instance if tfjs has initialised it (without starting an initialisation, unlike tf.findBackend). */
export function initialisedWasmBackend(): { wasm?: { PThread?: PThreadLike } } | undefined {
  return engine().registry.wasm as { wasm?: { PThread?: PThreadLike } } | undefined;
}

/** Threads the initialised wasm backend's pool has, and how many of its pthread workers run. */
export function wasmPool(pkg: WasmPackage): { threads: number; runningWorkers: number } {
  return { threads: pkg.getThreadsCount(), runningWorkers: initialisedWasmBackend()?.wasm?.PThread?.runningWorkers.length ?? 0 };
}

/**
 * Initialises tfjs-backend-wasm's threaded SIMD build in Node with a pool of
 * `threads` (the caller reads back what it got with {@link wasmPool}). tfjs keeps
 * that build from Node in three places, each undone here only for the
 * duration of `tf.setBackend('wasm')` and restored in `finally`:
 *
 * - the flag WASM_HAS_MULTITHREAD_SUPPORT is false whenever IS_NODE
 *   (tensorflow/tfjs#3830): set to true;
 * - tfjs hands the pthread worker script and the main script over as Blob
 *   URLs, which Node's worker_threads cannot load: the glue builds its
 *   workers with the global `Worker`, which is shadowed by a class that runs
 *   the installed worker script with `eval: true` and names the installed
 *   main script in the worker's 'load' message;
 * - the build's C++ sizes the pool as min(asked, 8, logical cores / 2), the
 *   halving assuming two hyperthreads per core; Node counts cores with
 *   `os.cpus()`, which reports 2 x `threads` while the module starts.
 *
 * Other code that calls `os.cpus()` while this runs (about a second) sees
 * that doubled count.
 */
export async function initThreadedWasm(pkg: WasmPackage, glue: ThreadGlue, threads: number): Promise<void> {
  const started: NodeWorker[] = [];
  class PthreadWorker extends NodeWorker {
    constructor(url: unknown) {
      // execArgv []: a parent started with loaders (tsx) would load them into every pthread.
      super(glue.workerSource, { eval: true, execArgv: [] });
      started.push(this);
      if (typeof url === 'string' && url.startsWith('blob:')) URL.revokeObjectURL(url);
    }
    override postMessage(message: unknown, transfer?: readonly TransferListItem[]): void {
      const load = message !== null && typeof message === 'object' && (message as { cmd?: unknown }).cmd === 'load';
      super.postMessage(load ? { ...(message as object), urlOrBlob: glue.mainScript } : message, transfer);
    }
  }

  const flagBefore = await env().getAsync(FLAG);
  const workerBefore = Object.getOwnPropertyDescriptor(globalThis, 'Worker');
  const cpusBefore = os.cpus;
  let initialised = false;
  try {
    env().set(FLAG, true);
    // The glue assigns worker_threads' Worker to the global before it uses it; the setter swallows that.
    Object.defineProperty(globalThis, 'Worker', { configurable: true, get: () => PthreadWorker, set: () => undefined });
    os.cpus = () => {
      const real = cpusBefore.call(os);
      return Array.from({ length: 2 * threads }, (_, i) => real[i % real.length] as os.CpuInfo);
    };
    pkg.setThreadsCount(threads);
    initialised = await setBackend('wasm');
  } finally {
    os.cpus = cpusBefore;
    if (workerBefore) Object.defineProperty(globalThis, 'Worker', workerBefore);
    else Reflect.deleteProperty(globalThis, 'Worker');
    env().set(FLAG, flagBefore);
    // A failed start leaves workers that would keep the process alive.
    if (!initialised) for (const worker of started) void worker.terminate();
  }
  if (!initialised) throw new Error('tf.setBackend("wasm") failed with the threaded build (tfjs printed why above)');
  // Emscripten refs a worker while its pthread runs, and the pool's threads run
  // until the backend is disposed, so without this the process would never exit.
  for (const worker of initialisedWasmBackend()?.wasm?.PThread?.runningWorkers ?? []) worker.unref();
}
