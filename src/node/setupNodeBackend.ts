import { getBackend, ready, setBackend } from '@tensorflow/tfjs-core';
import { assertOneOf, assertOptionsObject, describe } from '../internal/validate';
import { patchWasmKernels } from './wasmKernels';
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
 * const name = await setupNodeBackend({ backend: 'wasm', quiet: true }); // 'wasm'
 * ```
 */
export interface SetupNodeBackendOptions {
  /**
   * `'auto'` tries tfjs-node (`'tensorflow'`), then WebGPU through Dawn
   * (`'webgpu'`, on a hardware adapter only), then wasm with the kernel
   * fixes, then cpu. Naming a backend uses only that one, and fails if it
   * cannot be loaded; `'webgpu'` named also takes a software adapter.
   * @default 'auto'
   */
  backend?: NodeBackendChoice;
  /**
   * Print nothing. Otherwise the choice is printed once per process.
   * @default false
   */
  quiet?: boolean;
}

let announced = false;

const loaders: Record<Exclude<NodeBackendChoice, 'auto'>, (named: boolean) => Promise<void>> = {
  // Module names in variables so bundlers do not try to resolve optional packages.
  tensorflow: async () => {
    const name = '@tensorflow/tfjs-node';
    await import(name);
  },
  webgpu: (named) => loadWebGPUBackend({ allowSoftware: named }),
  wasm: async () => {
    const name = '@tensorflow/tfjs-backend-wasm';
    await import(name);
    patchWasmKernels();
  },
  cpu: async () => {
    const name = '@tensorflow/tfjs-backend-cpu';
    await import(name);
  },
};

const descriptions: Record<Exclude<NodeBackendChoice, 'auto'>, string> = {
  tensorflow: 'tensorflow (tfjs-node, native TensorFlow)',
  get webgpu() {
    return webgpuDescription(); // names the adapter
  },
  wasm: 'wasm (XNNPACK, one thread; transposed matMul routed to the fast path, Conv2DBackpropFilter added, MaxPoolGrad fixed)',
  cpu: 'cpu (plain JavaScript; slow: install @tensorflow/tfjs-backend-wasm or tfjs-node)',
};

/**
 * Picks and initialises the fastest tfjs backend available in Node and
 * returns its name: tfjs-node when it is installed, otherwise webgpu when
 * the package `webgpu` (Dawn) finds a hardware GPU, otherwise wasm with
 * this package's kernel fixes, otherwise cpu. The backend packages are
 * optional peer dependencies, loaded only here. Importing `spectral-reg` or
 * `spectral-reg/node` registers nothing by itself.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { setupNodeBackend } from 'spectral-reg/node';
 *
 * const backend = await setupNodeBackend(); // 'tensorflow', 'webgpu', 'wasm' or 'cpu'
 * ```
 */
export async function setupNodeBackend(options?: SetupNodeBackendOptions): Promise<string> {
  const fn = 'setupNodeBackend';
  assertOptionsObject(fn, options);
  const choice = options?.backend ?? 'auto';
  assertOneOf(fn, 'backend', choice, ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const);
  const quiet = options?.quiet ?? false;
  if (typeof quiet !== 'boolean') throw new TypeError(`${fn}: quiet must be a boolean, got ${describe(quiet)}`);

  const candidates: Array<Exclude<NodeBackendChoice, 'auto'>> = choice === 'auto' ? ['tensorflow', 'webgpu', 'wasm', 'cpu'] : [choice];
  const failures: string[] = [];
  for (const name of candidates) {
    try {
      await loaders[name](choice === name);
      if (!(await setBackend(name))) throw new Error('tf.setBackend returned false');
      await ready();
      if (!announced && !quiet) {
        console.info(`spectral-reg: using the ${descriptions[name]} backend`);
        announced = true;
      }
      return getBackend();
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`${fn}: no backend could be set up (${failures.join('; ')})`);
}
