import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIdx } from '../../src/datasets/index';
import { readIdx } from '../../src/datasets/loadIdx';
import { pinRejections } from '../helpers/oracles';
import { writeIdx, writeIdxDataset } from './fixtures';

describe('loadIdx: every file header is checked against the file, and the error names the file', () => {
  // Made in beforeAll, so that a run filtering these tests out leaves nothing behind.
  const dir = join(tmpdir(), `idx-${randomBytes(6).toString('hex')}`);
  const file = (name: string) => join(dir, name);
  beforeAll(() => {
    mkdirSync(dir);
    writeIdxDataset(dir, { train: 3, test: 2, classes: 2 });
    writeIdx(file('labels-truncated'), 0x801, [60000], new Uint8Array(1226));
    writeIdx(file('images-truncated'), 0x803, [100, 28, 28], new Uint8Array(500));
    writeIdx(file('labels-long'), 0x801, [10], new Uint8Array(12));
    writeIdx(file('labels-bad-magic'), 0x803, [10], new Uint8Array(10));
    writeIdx(file('images-bad-magic'), 0x12345678, [1, 1, 1]);
    writeIdx(file('images-zero-rows'), 0x803, [5, 0, 28]);
    writeFileSync(file('header-only-half'), Buffer.from([0, 0, 8, 1, 0]));
    writeIdx(file('whole.gz'), 0x803, [3, 1, 1], undefined, true);
    writeFileSync(file('cut.gz'), readFileSync(file('whole.gz')).subarray(0, 20));
    writeIdx(file('labels-gz-truncated.gz'), 0x801, [50], new Uint8Array(40), true);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const load = (files: Record<string, string>) => () => loadIdx(dir, { files });
  const cases: Array<[string, () => Promise<unknown>, ErrorConstructor, string]> = [
    ['truncated labels', load({ trainLabels: 'labels-truncated' }), RangeError, `loadIdx: ${file('labels-truncated')} is truncated: header promises 60000 labels (60008 bytes), file has 1234 bytes`],
    ['truncated images, whatever the limit', () => loadIdx(dir, { files: { trainImages: 'images-truncated' }, trainLimit: 1 }), RangeError, `loadIdx: ${file('images-truncated')} is truncated: header promises 100 images of 28x28 (78416 bytes), file has 516 bytes`],
    ['bytes past the promised end', load({ testLabels: 'labels-long' }), RangeError, `loadIdx: ${file('labels-long')} has 20 bytes, more than its header promises: 10 labels (18 bytes)`],
    ['an image file read as labels', load({ trainLabels: 'labels-bad-magic' }), TypeError, `loadIdx: ${file('labels-bad-magic')} is not an idx label file (magic 0x00000803, expected 0x00000801)`],
    ['bad image magic', load({ testImages: 'images-bad-magic' }), TypeError, `loadIdx: ${file('images-bad-magic')} is not an idx image file (magic 0x12345678, expected 0x00000803)`],
    ['images of zero rows', load({ trainImages: 'images-zero-rows' }), RangeError, `loadIdx: ${file('images-zero-rows')} has images of 0x28 pixels`],
    ['shorter than the header', load({ trainLabels: 'header-only-half' }), RangeError, `loadIdx: ${file('header-only-half')} is truncated: 5 bytes, shorter than the 8-byte idx label header`],
    ['a gzip stream cut short', load({ trainImages: 'cut.gz' }), RangeError, `loadIdx: ${file('cut.gz')} is a truncated or corrupt gzip file (unexpected end of file)`],
    ['a whole gzip stream of a truncated file', load({ trainLabels: 'labels-gz-truncated.gz' }), RangeError, `loadIdx: ${file('labels-gz-truncated.gz')} is truncated: header promises 50 labels (58 bytes), file has 48 bytes`],
    ['a missing file, raw or gzipped', load({ testLabels: 'nothing-here' }), Error, `loadIdx: ${dir} has no nothing-here or nothing-here.gz`],
    ['a missing .gz file', load({ testLabels: 'nothing-here.gz' }), Error, `loadIdx: ${dir} has no nothing-here.gz`],
    ['a directory that does not exist', () => loadIdx(join(dir, 'nope')), Error, `loadIdx: ${join(dir, 'nope')} is not a directory`],
    ['a file given as the directory', () => loadIdx(file('labels-long')), Error, `loadIdx: ${file('labels-long')} is not a directory`],
  ];
  pinRejections(cases, it);
});

describe('loadIdx: options are checked before any file is read', () => {
  const cases: Array<[string, () => Promise<unknown>, ErrorConstructor, string]> = [
    ['directory not a string', () => loadIdx(3 as never), TypeError, 'loadIdx: directory must be a non-empty path string, got 3'],
    ['empty directory', () => loadIdx(''), TypeError, 'loadIdx: directory must be a non-empty path string, got ""'],
    ['options not an object', () => loadIdx('/x', 5 as never), TypeError, 'loadIdx: options must be an object, got 5'],
    ['negative trainLimit', () => loadIdx('/x', { trainLimit: -1 }), RangeError, 'loadIdx: trainLimit must be a whole number >= 0 or Infinity, got -1'],
    ['fractional testLimit', () => loadIdx('/x', { testLimit: 2.5 }), RangeError, 'loadIdx: testLimit must be a whole number >= 0 or Infinity, got 2.5'],
    ['NaN trainLimit', () => loadIdx('/x', { trainLimit: Number.NaN }), RangeError, 'loadIdx: trainLimit must be a whole number >= 0 or Infinity, got NaN'],
    ['trainLimit a string', () => loadIdx('/x', { trainLimit: '10' as never }), TypeError, 'loadIdx: trainLimit must be a whole number >= 0 or Infinity, got "10"'],
    ['files not an object', () => loadIdx('/x', { files: 'train' as never }), TypeError, 'loadIdx: files must be an object of file names, got "train"'],
    ['a file name with a path', () => loadIdx('/x', { files: { trainImages: '../train-images-idx3-ubyte' } }), TypeError, 'loadIdx: files.trainImages must be a plain file name, got "../train-images-idx3-ubyte"'],
    ['an empty file name', () => loadIdx('/x', { files: { testLabels: '' } }), TypeError, 'loadIdx: files.testLabels must be a plain file name, got ""'],
  ];
  pinRejections(cases, it);
});

describe('loadIdx: reading', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'idx-dataset-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** A fresh subdirectory of `dir`. */
  const sub = (name: string) => {
    const path = join(dir, name);
    mkdirSync(path);
    return path;
  };

  it('x is float32 pixel / 255 in file order, shaped [n, rows, cols, 1]; y int32 labels; limits take the first images', async () => {
    const path = sub('plain');
    writeIdxDataset(path, { train: 5, test: 4, classes: 3, rows: 2, cols: 3 });
    const data = await loadIdx(path, { trainLimit: 4, testLimit: 2 });
    expect(data.train.x.shape).toEqual([4, 2, 3, 1]);
    expect(data.train.x.dtype).toBe('float32');
    expect(data.test.x.shape).toEqual([2, 2, 3, 1]);
    expect(data.train.y.dtype).toBe('int32');
    expect(Array.from(await data.train.y.data())).toEqual([0, 1, 2, 0]);
    expect(Array.from(await data.test.y.data())).toEqual([0, 1]);
    // Bit for bit: each value is Math.fround(byte / 255), byte = index % 256.
    expect(await data.train.x.data()).toEqual(Float32Array.from({ length: 24 }, (_, i) => i / 255));
    expect(data.classes).toBe(3);
    tf.dispose(data);
  });

  it('gzipped files (name.gz, or a name given with .gz) give the same tensors as raw ones', async () => {
    const raw = sub('raw');
    const gz = sub('gz');
    writeIdxDataset(raw, { train: 30, test: 7, classes: 10, rows: 3, cols: 2 });
    writeIdxDataset(gz, { train: 30, test: 7, classes: 10, rows: 3, cols: 2, gzip: true });
    const a = await loadIdx(raw);
    const b = await loadIdx(gz);
    const c = await loadIdx(gz, { files: { trainImages: 'train-images-idx3-ubyte.gz' } });
    for (const other of [b, c]) {
      expect(await other.train.x.data()).toEqual(await a.train.x.data());
      expect(await other.test.y.data()).toEqual(await a.test.y.data());
      expect(other.test.x.shape).toEqual([7, 3, 2, 1]);
    }
    tf.dispose([a, b, c]);
  });

  it('file names of another idx dataset (EMNIST-style), gzipped', async () => {
    const path = sub('emnist');
    writeIdx(join(path, 'emnist-digits-train-images-idx3-ubyte.gz'), 0x803, [6, 2, 2], undefined, true);
    writeIdx(join(path, 'emnist-digits-train-labels-idx1-ubyte.gz'), 0x801, [6], Uint8Array.from([9, 8, 7, 6, 5, 4]), true);
    writeIdx(join(path, 'emnist-digits-test-images-idx3-ubyte.gz'), 0x803, [2, 2, 2], undefined, true);
    writeIdx(join(path, 'emnist-digits-test-labels-idx1-ubyte.gz'), 0x801, [2], Uint8Array.from([1, 0]), true);
    const data = await loadIdx(path, {
      files: {
        trainImages: 'emnist-digits-train-images-idx3-ubyte',
        trainLabels: 'emnist-digits-train-labels-idx1-ubyte',
        testImages: 'emnist-digits-test-images-idx3-ubyte',
        testLabels: 'emnist-digits-test-labels-idx1-ubyte',
      },
    });
    expect(Array.from(await data.train.y.data())).toEqual([9, 8, 7, 6, 5, 4]);
    expect(data.classes).toBe(10);
    tf.dispose(data);
  });

  it('an EMNIST-sized label file (300000 labels) loads without a stack overflow', async () => {
    const path = sub('large');
    writeIdxDataset(path, { train: 300_000, test: 20, classes: 47 });
    const dataset = await readIdx(path);
    expect(dataset.classes).toBe(47);
    expect(dataset.train.count).toBe(300_000);
    expect(dataset.train.labels[299_999]).toBe(299_999 % 47);
    expect(dataset.train.images[299_999]).toBe(Math.fround((299_999 % 256) / 255));
    expect(dataset.imageShape).toEqual([1, 1, 1]);
  });

  it('classes count every label in the files, whatever the limit; a limit of 0 gives empty tensors', async () => {
    const path = sub('classes');
    writeIdxDataset(path, { train: 30, test: 20, classes: 10 });
    const data = await loadIdx(path, { trainLimit: 3, testLimit: 0 });
    expect(data.classes).toBe(10);
    expect(data.test.x.shape).toEqual([0, 1, 1, 1]);
    expect(data.test.y.shape).toEqual([0]);
    tf.dispose(data);
  });

  it('images and labels of different counts are an error, even under a limit', async () => {
    const path = sub('counts');
    writeIdxDataset(path, { train: 30, test: 20, classes: 10 });
    writeIdx(join(path, 't10k-labels-idx1-ubyte'), 0x801, [19], new Uint8Array(19));
    await expect(loadIdx(path, { trainLimit: 5, testLimit: 5 })).rejects.toThrow(
      new RangeError(`loadIdx: ${join(path, 't10k-images-idx3-ubyte')} holds 20 images but ${join(path, 't10k-labels-idx1-ubyte')} holds 19 labels`),
    );
  });

  it('train and test images of different sizes are an error', async () => {
    const path = sub('sizes');
    writeIdxDataset(path, { train: 4, test: 4, classes: 2 });
    writeIdx(join(path, 't10k-images-idx3-ubyte'), 0x803, [4, 2, 2]);
    await expect(loadIdx(path)).rejects.toThrow(new RangeError(`loadIdx: ${path} has train images of 1x1 but test images of 2x2`));
  });
});
