import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImageDataset, loadCifar10, loadIdx, loadMnist } from '../../src/datasets/index';
import { expectNoLeak } from '../helpers/oracles';
import { writeCifar, writeIdxDataset } from './fixtures';

/** A loader makes exactly its four tensors, and disposing the result frees them all; a failed call leaves none. */
async function expectFourTensors(load: () => Promise<ImageDataset>) {
  const before = tf.memory().numTensors;
  const data = await load();
  expect(tf.memory().numTensors - before).toBe(4);
  tf.dispose(data);
  expect(tf.memory().numTensors).toBe(before);
}

describe('the loaders hold no tensor but the four they return', () => {
  let idx: string;
  let cifar: string;
  beforeAll(() => {
    idx = mkdtempSync(join(tmpdir(), 'idx-memory-'));
    writeIdxDataset(idx, { train: 6, test: 3, classes: 3, rows: 2, cols: 2, gzip: true });
    cifar = mkdtempSync(join(tmpdir(), 'cifar-memory-'));
    writeCifar(cifar, 2);
  });
  afterAll(() => {
    rmSync(idx, { recursive: true, force: true });
    rmSync(cifar, { recursive: true, force: true });
  });

  it('loadMnist', async () => {
    await expectFourTensors(() => loadMnist({ trainLimit: 20, testLimit: 10 }));
    await expectNoLeak(() => expect(loadMnist({ trainLimit: -1 })).rejects.toThrow(RangeError));
  });

  it('loadIdx', async () => {
    await expectFourTensors(() => loadIdx(idx));
    await expectNoLeak(() => expect(loadIdx(idx, { files: { testLabels: 'missing' } })).rejects.toThrow(/has no missing or missing\.gz/));
  });

  it('loadCifar10', async () => {
    await expectFourTensors(() => loadCifar10(cifar));
    await expectNoLeak(() => expect(loadCifar10({ directory: join(cifar, 'none'), download: false })).rejects.toThrow(/lacks data_batch_1\.bin/));
  });
});
