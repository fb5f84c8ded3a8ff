import {
  backend_util,
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { registerWasmSpeedKernels } from './wasmSpeedKernels';
import { runWasmKernel as run, WASM as BACKEND, type WasmBackendLike, withIntermediates } from './wasmKernelCalls';

/**
 * Kernel fixes for tfjs-backend-wasm 4.x, registered by setupNodeBackend:
 *
 * - BatchMatMul and _FusedMatMul with transposeA/transposeB run a slow
 *   generic loop on wasm (about 12x slower than the XNNPACK path). Every
 *   dense layer's backward pass uses those flags. The wrappers transpose the
 *   flagged operands explicitly and call the original kernel without flags.
 * - Conv2DBackpropFilter is not registered on wasm, so convolutional nets
 *   cannot train there. It is built here from kernels wasm has (PadV2,
 *   StridedSlice, Reshape, Transpose, BatchMatMul, Concat): for each filter
 *   offset (kh, kw), the strided window of the padded input is a
 *   [N*OH*OW, Cin] matrix, and its product with dy [N*OH*OW, Cout] is the
 *   filter gradient at that offset.
 * - MaxPoolGrad on wasm sends the gradient to the wrong element when every
 *   value in a pooling window is negative (it starts its running maximum at
 *   0): with tanh activations, max-pool layers then train wrongly. The
 *   replacement scans each window in JavaScript directly on the wasm heap,
 *   with the cpu backend's rule (the first maximum wins).
 *
 * Speed-ups of kernels that are correct but slow are in wasmSpeedKernels.ts.
 */

let patched = false;

function transposeLastTwo(t: TensorInfo, backend: unknown): TensorInfo {
  const rank = t.shape.length;
  const perm = [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
  return run('Transpose', { x: t }, { perm }, backend);
}

/** Wraps a matmul kernel so transposed operands take the fast untransposed path. */
function withoutTransposeFlags(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean } & NamedAttrMap;
    if (!attrs.transposeA && !attrs.transposeB) return original.kernelFunc(args);
    return withIntermediates(args.backend, (keep) => {
      const inputs = { ...(args.inputs as Record<string, TensorInfo>) };
      if (attrs.transposeA) inputs.a = keep(transposeLastTwo(inputs.a as TensorInfo, args.backend));
      if (attrs.transposeB) inputs.b = keep(transposeLastTwo(inputs.b as TensorInfo, args.backend));
      return original.kernelFunc({ ...args, inputs, attrs: { ...attrs, transposeA: false, transposeB: false } });
    });
  };
  return { ...original, kernelFunc };
}

interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  return withIntermediates(backend, (track) => {
    let x = (inputs as { x: TensorInfo }).x;
    let dy = (inputs as { dy: TensorInfo }).dy;
    if (dataFormat === 'NCHW') {
      x = track(run('Transpose', { x }, { perm: [0, 2, 3, 1] }, backend));
      dy = track(run('Transpose', { x: dy }, { perm: [0, 2, 3, 1] }, backend));
    }
    const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const { batchSize, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth, inChannels, outChannels, padInfo } = info;
    const rows = batchSize * outHeight * outWidth;
    const padded =
      padInfo.top || padInfo.bottom || padInfo.left || padInfo.right
        ? track(run('PadV2', { x }, { paddings: [[0, 0], [padInfo.top, padInfo.bottom], [padInfo.left, padInfo.right], [0, 0]], constantValue: 0 }, backend))
        : x;
    const dyRows = track(run('Reshape', { x: dy }, { shape: [rows, outChannels] }, backend));
    const perOffset: TensorInfo[] = [];
    for (let kh = 0; kh < filterHeight; kh++) {
      for (let kw = 0; kw < filterWidth; kw++) {
        const window = track(
          run(
            'StridedSlice',
            { x: padded },
            {
              begin: [0, kh, kw, 0],
              end: [batchSize, kh + (outHeight - 1) * strideHeight + 1, kw + (outWidth - 1) * strideWidth + 1, inChannels],
              strides: [1, strideHeight, strideWidth, 1],
              beginMask: 0,
              endMask: 0,
              ellipsisMask: 0,
              newAxisMask: 0,
              shrinkAxisMask: 0,
            },
            backend,
          ),
        );
        const windowRows = track(run('Reshape', { x: window }, { shape: [rows, inChannels] }, backend));
        const windowColumns = track(run('Transpose', { x: windowRows }, { perm: [1, 0] }, backend));
        const product = track(run('BatchMatMul', { a: windowColumns, b: dyRows }, { transposeA: false, transposeB: false }, backend));
        perOffset.push(track(run('Reshape', { x: product }, { shape: [1, inChannels, outChannels] }, backend)));
      }
    }
    const stacked = perOffset.length === 1 ? (perOffset[0] as TensorInfo) : track(run('Concat', perOffset, { axis: 0 }, backend));
    // The result outlives the temporaries: Reshape shares the data, so it is not in the list.
    return run('Reshape', { x: stacked }, { shape: [filterHeight, filterWidth, inChannels, outChannels] }, backend);
  });
};

interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const maxPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = info;
  const wasm = backend as unknown as WasmBackendLike;
  const out = wasm.makeOutput(input.shape, 'float32');
  // Views into the wasm heap, taken after the allocation that could grow it.
  const dx = wasm.typedArrayFromHeap(out);
  const x = wasm.typedArrayFromHeap(input);
  const g = wasm.typedArrayFromHeap(dy);
  dx.fill(0);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const hStart = oh * strideHeight - padInfo.top;
      for (let ow = 0; ow < outWidth; ow++) {
        const wStart = ow * strideWidth - padInfo.left;
        const gBase = ((b * outHeight + oh) * outWidth + ow) * inChannels;
        for (let c = 0; c < inChannels; c++) {
          let best = Number.NEGATIVE_INFINITY;
          let bestIndex = -1;
          for (let fh = 0; fh < filterHeight; fh++) {
            const h = hStart + fh;
            if (h < 0 || h >= inHeight) continue;
            for (let fw = 0; fw < filterWidth; fw++) {
              const w = wStart + fw;
              if (w < 0 || w >= inWidth) continue;
              const index = ((b * inHeight + h) * inWidth + w) * inChannels + c;
              const value = x[index] as number;
              if (value > best) {
                best = value;
                bestIndex = index;
              }
            }
          }
          if (bestIndex >= 0) dx[bestIndex] = (dx[bestIndex] as number) + (g[gBase + c] as number);
        }
      }
    }
  }
  return out;
};

/**
 * Registers the wasm kernel fixes once per process. Must run after
 * `@tensorflow/tfjs-backend-wasm` is imported (its kernels register on import).
 * Each replaced kernel is unregistered first, so tfjs does not warn.
 */
export function patchWasmKernels(): void {
  if (patched) return;
  for (const name of ['BatchMatMul', '_FusedMatMul']) {
    const original = getKernel(name, BACKEND);
    if (original === undefined) continue;
    unregisterKernel(name, BACKEND);
    registerKernel(withoutTransposeFlags(original));
  }
  if (getKernel('Conv2DBackpropFilter', BACKEND) === undefined) {
    registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: BACKEND, kernelFunc: conv2DBackpropFilter });
  }
  if (getKernel('MaxPoolGrad', BACKEND) !== undefined) unregisterKernel('MaxPoolGrad', BACKEND);
  registerKernel({ kernelName: 'MaxPoolGrad', backendName: BACKEND, kernelFunc: maxPoolGrad });
  registerWasmSpeedKernels();
  patched = true;
}
