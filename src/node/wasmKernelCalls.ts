import { getKernel, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';

/** What the kernel replacements for tfjs-backend-wasm call on each other and on the backend. */

export const WASM = 'wasm';

/** The parts of tfjs-backend-wasm's BackendWasm the replacements use. */
export interface WasmBackendLike {
  disposeData(dataId: object): boolean;
  incRef(dataId: object): void;
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

type KernelArgs = Parameters<KernelFunc>[0];

/** Runs the kernel registered now for `name` on wasm (a replacement, where one is registered). */
export function runWasmKernel(name: string, inputs: object, attrs: NamedAttrMap, backend: unknown): TensorInfo {
  const kernel = getKernel(name, WASM);
  if (kernel === undefined) throw new Error(`setupNodeBackend: the wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({ inputs: inputs as KernelArgs['inputs'], attrs, backend: backend as KernelArgs['backend'] }) as TensorInfo;
}

/**
 * Runs `body` with `keep`, which marks a result as intermediate, and frees
 * every kept result when `body` returns or throws. What `body` returns must
 * not be kept (a Reshape of a kept result may be returned: it holds its own
 * reference to the shared data).
 */
export function withIntermediates<T>(backend: unknown, body: (keep: (info: TensorInfo) => TensorInfo) => T): T {
  const kept: TensorInfo[] = [];
  try {
    return body((info) => {
      kept.push(info);
      return info;
    });
  } finally {
    for (const info of kept) (backend as WasmBackendLike).disposeData(info.dataId);
  }
}
