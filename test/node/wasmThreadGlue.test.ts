import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { threadSupportProblem } from '../../src/node/wasmThreads';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  vi.doUnmock('node:fs');
  vi.doUnmock('node:module');
  vi.resetModules();
});

describe('the installed threaded glue (locateThreadGlue)', () => {
  it('is read from the installed tfjs-backend-wasm: a one-line worker source that loads the main script, and a pool of 8', async () => {
    const { locateThreadGlue } = await import('../../src/node/wasmThreadGlue');
    const glue = locateThreadGlue();
    expect(glue.poolSize).toBe(8);
    expect(glue.mainScript).toMatch(/@tensorflow\/tfjs-backend-wasm\/wasm-out\/tfjs-backend-wasm-threaded-simd\.js$/);
    expect(glue.workerSource).not.toContain('\n');
    expect(glue.workerSource).toContain('WasmBackendModuleThreadedSimd(Module)');
    // It parses: the newlines that sat inside string literals are escaped again.
    expect(() => new Function(glue.workerSource)).not.toThrow();
  });

  it('a package without the glue, or with another layout, is named', async () => {
    vi.doMock('node:module', async (original) => ({
      ...(await original<typeof import('node:module')>()),
      createRequire: () =>
        Object.assign(() => ({}), {
          resolve: () => {
            throw new Error('Cannot find module');
          },
        }),
    }));
    const missing = await import('../../src/node/wasmThreadGlue');
    expect(() => missing.locateThreadGlue()).toThrow(new Error('the installed @tensorflow/tfjs-backend-wasm has no threaded glue (wasm-out/tfjs-backend-wasm-threaded-simd.js)'));
    vi.doUnmock('node:module');
    vi.resetModules();
    vi.doMock('node:fs', async (original) => ({ ...(await original<typeof import('node:fs')>()), readFileSync: () => 'var SomethingElse = 1;' }));
    const other = await import('../../src/node/wasmThreadGlue');
    expect(() => other.locateThreadGlue()).toThrow(
      /^the threaded glue of the installed @tensorflow\/tfjs-backend-wasm is not the 4\.x layout this version of spectral-reg knows \(.*tfjs-backend-wasm-threaded-simd\.js\)$/,
    );
  });
});

describe('what the threaded build needs from Node (threadSupportProblem)', () => {
  it('this Node has it all', async () => {
    expect(await threadSupportProblem()).toBeUndefined();
  });

  it('names the missing piece: SharedArrayBuffer, WebAssembly threads, SIMD', async () => {
    vi.stubGlobal('SharedArrayBuffer', undefined);
    expect(await threadSupportProblem()).toBe('SharedArrayBuffer is not available in this Node (was it started with --no-harmony-sharedarraybuffer?)');
    vi.unstubAllGlobals();
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    expect(await threadSupportProblem()).toBe("this Node's WebAssembly has no threads (shared memory and atomics)");
    vi.restoreAllMocks();
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    tf.env().set('WASM_HAS_SIMD_SUPPORT', false);
    try {
      expect(await threadSupportProblem()).toBe("the threaded build needs WebAssembly SIMD, which this Node's WebAssembly lacks");
    } finally {
      tf.env().set('WASM_HAS_SIMD_SUPPORT', simd);
    }
  });
});
