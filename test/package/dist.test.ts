import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
    expect(Object.keys(esm).sort()).toEqual(['fileSystem', 'setupNodeBackend']);
    const require = createRequire(import.meta.url);
    expect(Object.keys(require('../../dist/node.cjs') as object).sort()).toEqual(['fileSystem', 'setupNodeBackend']);
  });

  it('importing the package registers no backend and changes none', async () => {
    const before = tf.getBackend();
    await import('../../dist/index.js');
    expect(tf.getBackend()).toBe(before);
    for (const file of ['index.js', 'index.cjs', 'node.js', 'node.cjs']) {
      const source = readFileSync(new URL(`../../dist/${file}`, import.meta.url), 'utf8');
      // The main entry never names a backend; the node entry loads them only inside setupNodeBackend.
      if (file.startsWith('index')) expect(source).not.toMatch(/tfjs-backend|tfjs-node/);
      expect(source).not.toMatch(/^import [^;]*tfjs-(backend|node)|require\(["']@tensorflow\/tfjs-(backend|node)/m);
      // tfjs stays external: the caller's instance is the one the library uses.
      expect(source).toMatch(/@tensorflow\/tfjs-core/);
    }
  });
});
