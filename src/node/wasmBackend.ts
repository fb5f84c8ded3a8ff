import { setBackend } from '@tensorflow/tfjs-core';
import { initialisedWasmBackend, initThreadedWasm, wasmPool, type WasmPackage } from './threadedWasm';
import { patchWasmKernels } from './wasmKernels';
import { locateThreadGlue, type ThreadGlue } from './wasmThreadGlue';
import { availableCores, planThreads, threadSupportProblem } from './wasmThreads';

/** An explicit thread count that cannot be had: setupNodeBackend stops instead of trying the next backend. */
export class ThreadsUnavailableError extends Error {
  override name = 'ThreadsUnavailableError';
}

/** What the wasm backend runs on: the pool size read back from the module, and why that many. */
export interface WasmSetup {
  threads: number;
  why: string;
}

function glueOrProblem(): ThreadGlue | string {
  try {
    return locateThreadGlue();
  } catch (error) {
    return (error as Error).message;
  }
}

/** Threads that really run: the pool size, but no more than the pthread workers running plus this thread. */
function workingThreads(pkg: WasmPackage): number {
  const pool = wasmPool(pkg);
  return Math.max(1, Math.min(pool.threads, pool.runningWorkers + 1));
}

async function initSingleThreaded(): Promise<void> {
  if (!(await setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
}

/**
 * Imports tfjs-backend-wasm, registers the kernel fixes and initialises the
 * backend with `requested` threads (undefined: all cores), capped at the
 * cores there are and at the build's pool. When the threaded build cannot
 * run, all cores falls back to one thread (and says why), while an explicit
 * count throws ThreadsUnavailableError.
 */
export async function setupWasm(fn: string, requested: number | undefined): Promise<WasmSetup> {
  // Module name in a variable so bundlers do not try to resolve an optional package.
  const name = '@tensorflow/tfjs-backend-wasm';
  const pkg = (await import(name)) as WasmPackage;
  patchWasmKernels();
  const cores = availableCores();
  const unavailable = (problem: string) =>
    new ThreadsUnavailableError(`${fn}: threads ${requested} cannot be had: ${problem}; pass threads: 1 for single-threaded wasm`);

  if (initialisedWasmBackend()) {
    // tfjs initialises a backend once per process: what runs now is what there is.
    const threads = workingThreads(pkg);
    if (requested !== undefined) {
      const glue = glueOrProblem();
      const wanted = planThreads(requested, cores, typeof glue === 'string' ? 1 : glue.poolSize).threads;
      if (wanted !== threads) {
        throw unavailable(
          `the wasm backend was initialised earlier in this process with ${threads} thread${threads === 1 ? '' : 's'}, and tfjs initialises it once (call setupNodeBackend before anything selects wasm)`,
        );
      }
    }
    return { threads, why: 'initialised earlier in this process' };
  }

  const glue = glueOrProblem();
  const plan = planThreads(requested, cores, typeof glue === 'string' ? Number.POSITIVE_INFINITY : glue.poolSize);
  if (plan.threads === 1) {
    await initSingleThreaded();
    return { threads: workingThreads(pkg), why: plan.why };
  }
  const problem = typeof glue === 'string' ? glue : await threadSupportProblem();
  let failure = problem;
  if (problem === undefined) {
    try {
      await initThreadedWasm(pkg, glue as ThreadGlue, plan.threads);
    } catch (error) {
      failure = (error as Error).message;
    }
  }
  if (failure !== undefined) {
    if (requested !== undefined) throw unavailable(failure);
    await initSingleThreaded();
    return { threads: workingThreads(pkg), why: `threaded wasm unavailable: ${failure}` };
  }
  const threads = workingThreads(pkg);
  if (threads !== plan.threads) {
    const pool = wasmPool(pkg);
    const shortfall = `the pool started with ${pool.threads} threads and ${pool.runningWorkers} running pthread workers, not ${plan.threads} and ${plan.threads - 1}`;
    if (requested !== undefined) throw unavailable(shortfall);
    return { threads, why: `${plan.why}; ${shortfall}` };
  }
  return { threads, why: plan.why };
}
