import { getKernel, registerKernel, unregisterKernel, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { runWasmKernel as run, WASM, type WasmBackendLike, withIntermediates } from './wasmKernelCalls';

/**
 * Faster replacements for tfjs-backend-wasm 4.x kernels that are correct but
 * run on one thread, element by element, where XNNPACK's threaded SIMD
 * kernels could do the work (measured on a 1500 x 2000 float32 tensor,
 * 2 threads, docs/benchmarks.md):
 *
 * - Tanh calls the C library's tanhf per element (39 ms), though tanh is the
 *   paper's activation. Here: tanh(|x|) = -e / (2 + e) with e = expm1(-2|x|)
 *   from XNNPACK's elu, which has no cancellation near 0, and the sign from
 *   step(x): nine vectorised element-wise kernels, about 10 ms (a JavaScript
 *   loop over the heap measured slower than tanhf).
 * - Sum and Mean over leading axes (a column sum, as in every bias gradient
 *   and every centring) transpose the whole tensor first (6 ms). Here: a
 *   product with a row of ones (or of 1/n) on XNNPACK (about 1 ms).
 * - Identity and same-type Cast copy the data (tf.clone, and the gradient of
 *   every identity). Here: the result shares the data, as wasm's own
 *   Reshape does; tensors are immutable, so nothing can tell them apart.
 *
 * Each falls back to the original kernel outside the case it speeds up
 * (other dtypes, other axes).
 */

/** A float32 scalar on the wasm heap, for broadcasting against a tensor. */
function scalarOnHeap(backend: WasmBackendLike, value: number): TensorInfo {
  const info = backend.makeOutput([], 'float32');
  backend.typedArrayFromHeap(info)[0] = value;
  return info;
}

/** The kernels tanhKernel is made of (all in tfjs-backend-wasm 4.x; checked at registration). */
const TANH_PARTS = ['Abs', 'Multiply', 'Elu', 'Add', 'RealDiv', 'Step'];

function tanhKernel(original: KernelConfig): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype !== 'float32') return original.kernelFunc(args);
    const backend = args.backend as unknown as WasmBackendLike;
    return withIntermediates(backend, (keep) => {
      const op = (name: string, inputs: Record<string, TensorInfo>, attrs = {}) => keep(run(name, inputs, attrs, backend));
      const constant = (value: number) => keep(scalarOnHeap(backend, value));
      // e = expm1(-2|x|) from XNNPACK's elu, accurate to about 1 ulp (no cancellation near 0);
      // tanh(|x|) = -e / (2 + e), and the sign comes from step(x): 1 - 2 step(x) is -1 for x > 0, else 1.
      const e = op('Elu', { x: op('Multiply', { a: op('Abs', { x }), b: constant(-2) }) });
      const ratio = op('RealDiv', { a: e, b: op('Add', { a: e, b: constant(2) }) });
      const sign = op('Add', { a: op('Multiply', { a: op('Step', { x }, { alpha: 0 }), b: constant(-2) }), b: constant(1) });
      // NaN stays NaN; +-Infinity gives e = -1, so +-1.
      return run('Multiply', { a: ratio, b: sign }, {}, backend);
    });
  };
}

/** Sum (or Mean) over the leading axes of a float32 tensor as one XNNPACK product: [1, outer] x [outer, inner]. */
function leadingAxesReduction(original: KernelConfig, mean: boolean): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const shape = x.shape;
    const axes = util.parseAxisParam(axis, shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < shape.length && axes.every((a, i) => a === i);
    const outer = util.sizeFromShape(shape.slice(0, axes.length));
    const inner = util.sizeFromShape(shape.slice(axes.length));
    // Anything else (ints, inner axes, a full reduction, empty tensors) is already fast or rare.
    if (x.dtype !== 'float32' || !leading || outer < 2 || inner < 2) return original.kernelFunc(args);
    const backend = args.backend as unknown as WasmBackendLike;
    return withIntermediates(backend, (keep) => {
      const weights = keep(backend.makeOutput([1, 1, outer], 'float32'));
      backend.typedArrayFromHeap(weights).fill(mean ? 1 / outer : 1);
      const matrix = keep(run('Reshape', { x }, { shape: [1, outer, inner] }, backend));
      const product = keep(run('BatchMatMul', { a: weights, b: matrix }, { transposeA: false, transposeB: false }, backend));
      const outShape = keepDims ? shape.map((d, i) => (i < axes.length ? 1 : d)) : shape.slice(axes.length);
      // Reshape shares the product's data, so freeing the product leaves the result intact.
      return run('Reshape', { x: product }, { shape: outShape }, backend);
    });
  };
}

/** Identity, or Cast to the same dtype: the result shares the input's data (wasm's Reshape does the same). */
function sharedDataKernel(original: KernelConfig): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const dtype = (args.attrs as { dtype?: string } | undefined)?.dtype ?? x.dtype;
    if (dtype !== x.dtype || x.dtype === 'string' || x.dtype === 'complex64') return original.kernelFunc(args);
    (args.backend as unknown as WasmBackendLike).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}

const replacements: Record<string, (original: KernelConfig) => KernelFunc> = {
  Tanh: tanhKernel,
  Sum: (original) => leadingAxesReduction(original, false),
  Mean: (original) => leadingAxesReduction(original, true),
  Identity: sharedDataKernel,
  Cast: sharedDataKernel,
};

/** Registers the replacements (called once, from patchWasmKernels). */
export function registerWasmSpeedKernels(): void {
  for (const [name, replace] of Object.entries(replacements)) {
    const original = getKernel(name, WASM);
    if (original === undefined) continue;
    if (name === 'Tanh' && TANH_PARTS.some((part) => getKernel(part, WASM) === undefined)) continue;
    unregisterKernel(name, WASM);
    registerKernel({ ...original, kernelFunc: replace(original) });
  }
}
