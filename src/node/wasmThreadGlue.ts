import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The two scripts the threaded SIMD build of tfjs-backend-wasm needs in each
 * pthread worker, taken from the installed package (never copied into this
 * one, so they always match the installed .wasm binary).
 */
export interface ThreadGlue {
  /** Source of the pthread worker script, ready for `new Worker(source, { eval: true })`. */
  workerSource: string;
  /** Path of the threaded module's main script, which each pthread worker evaluates. */
  mainScript: string;
  /** Workers the build creates up front; its C++ caps the thread pool at this many. */
  poolSize: number;
}

const WORKER = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';
const MAIN = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';

/**
 * Reads the installed package's threaded glue. Throws an Error whose message
 * says what is missing or unrecognised (it ends up in setupNodeBackend's
 * explanation of why threads cannot be had).
 */
export function locateThreadGlue(): ThreadGlue {
  const require = createRequire(import.meta.url);
  let workerPath: string;
  let mainScript: string;
  try {
    workerPath = require.resolve(WORKER);
    mainScript = require.resolve(MAIN);
  } catch {
    throw new Error(`the installed @tensorflow/tfjs-backend-wasm has no threaded glue (${MAIN.slice(MAIN.indexOf('wasm-out'))})`);
  }
  const contents = (require(workerPath) as { wasmWorkerContents?: unknown }).wasmWorkerContents;
  const main = readFileSync(mainScript, 'utf8');
  const poolSize = Number(/pthreadPoolSize\s*=\s*(\d+)/.exec(main)?.[1]);
  if (typeof contents !== 'string' || !main.includes('var WasmBackendModuleThreadedSimd') || !(poolSize >= 1)) {
    throw new Error(`the threaded glue of the installed @tensorflow/tfjs-backend-wasm is not the 4.x layout this version of spectral-reg knows (${mainScript})`);
  }
  // The worker source is one minified line whose only newlines sit inside string
  // literals (the template literal it is exported from turned "\n" into real ones);
  // tfjs escapes them the same way before it makes its Blob.
  return { workerSource: contents.replace(/\n/g, '\\n'), mainScript, poolSize };
}
