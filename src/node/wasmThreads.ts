import os from 'node:os';
import { env } from '@tensorflow/tfjs-core';

/** How many threads the wasm pool should have, and the reason shown to the user. */
export interface ThreadPlan {
  threads: number;
  /** Why that many, for the message: `'2 cores'`, `'3 asked, 2 cores'`, ... */
  why: string;
}

/** Cores this process may use: os.availableParallelism() (Node >= 18.14), else os.cpus().length. */
export function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The pool size for `requested` threads (undefined: all cores) on `cores`
 * cores with a build that allows at most `limit`: never more than either.
 */
export function planThreads(requested: number | undefined, cores: number, limit: number): ThreadPlan {
  const wanted = requested ?? cores;
  const threads = Math.max(1, Math.min(wanted, cores, limit));
  const base = requested === undefined ? plural(cores, 'core') : `${requested} asked, ${plural(cores, 'core')}`;
  const capped = limit < Math.min(wanted, cores) ? `; the threaded wasm build has at most ${limit}` : '';
  return { threads, why: base + capped };
}

// A WebAssembly module with a shared memory and an atomic load: validates only where wasm threads exist.
const THREADS_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1, 10, 11, 1, 9, 0, 65, 0, 254, 16, 2, 0, 26, 11]);

/**
 * Why this Node cannot run the threaded SIMD build, or undefined if it can:
 * the checks tfjs makes in browsers (it skips them in Node and says no).
 */
export async function threadSupportProblem(): Promise<string | undefined> {
  if (typeof SharedArrayBuffer === 'undefined') return 'SharedArrayBuffer is not available in this Node (was it started with --no-harmony-sharedarraybuffer?)';
  let threads = false;
  try {
    threads = WebAssembly.validate(THREADS_PROBE);
  } catch {
    threads = false;
  }
  if (!threads) return "this Node's WebAssembly has no threads (shared memory and atomics)";
  if (!(await env().getAsync('WASM_HAS_SIMD_SUPPORT'))) return "the threaded build needs WebAssembly SIMD, which this Node's WebAssembly lacks";
  return undefined;
}
