import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCifar10 } from '../../src/datasets/index';
import { pinRejections } from '../helpers/oracles';
import { writeCifar } from './fixtures';

describe('loadCifar10: the binary batches', () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'cifar-'));
    writeCifar(directory, 3);
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('reads labels and converts planar RGB bytes to channels-last floats in [0, 1], [n, 32, 32, 3]', async () => {
    const { train, test, classes } = await loadCifar10(directory);
    expect(train.x.shape).toEqual([15, 32, 32, 3]);
    expect(test.x.shape).toEqual([3, 32, 32, 3]);
    expect([train.x.dtype, train.y.dtype, classes]).toEqual(['float32', 'int32', 10]);
    expect(Array.from(await train.y.data())).toEqual(Array.from({ length: 15 }, (_, i) => i % 10));
    const x = await train.x.data();
    // Record 4, pixel 5, green channel: (4 + 7 + 5) / 255, bit for bit.
    expect(x[4 * 3072 + 5 * 3 + 1]).toBe(Math.fround(16 / 255));
    // Record 14 (the last, in data_batch_5), pixel 1023, blue: (14 + 14 + 1023) % 256 / 255.
    expect(x[14 * 3072 + 1023 * 3 + 2]).toBe(Math.fround(((14 + 14 + 1023) % 256) / 255));
    tf.dispose([train, test]);
  });

  it('limits take the first records of each split, across batch files', async () => {
    const { train, test } = await loadCifar10({ directory, trainLimit: 4, testLimit: 2 });
    expect(train.x.shape).toEqual([4, 32, 32, 3]);
    expect(Array.from(await train.y.data())).toEqual([0, 1, 2, 3]);
    expect(Array.from(await test.y.data())).toEqual([5, 6]);
    tf.dispose([train, test]);
  });
});

describe('loadCifar10: errors', () => {
  // Named now (the cases below name them), made in beforeAll.
  const bad = join(tmpdir(), `cifar-bad-${randomBytes(6).toString('hex')}`);
  const badLabel = join(tmpdir(), `cifar-bad-label-${randomBytes(6).toString('hex')}`);
  beforeAll(() => {
    mkdirSync(bad);
    writeCifar(bad, 1);
    writeFileSync(join(bad, 'data_batch_3.bin'), Buffer.alloc(100));
    mkdirSync(badLabel);
    writeCifar(badLabel, 1);
    const labelled = Buffer.alloc(2 * 3073);
    labelled[3073] = 12;
    writeFileSync(join(badLabel, 'test_batch.bin'), labelled);
  });
  afterAll(() => {
    rmSync(bad, { recursive: true, force: true });
    rmSync(badLabel, { recursive: true, force: true });
  });

  const cases: Array<[string, () => Promise<unknown>, ErrorConstructor, string]> = [
    [
      'a directory without batches, download off',
      () => loadCifar10({ directory: '/nonexistent/cifar', download: false }),
      Error,
      'loadCifar10: /nonexistent/cifar lacks data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin. Download the CIFAR-10 binary version (cifar-10-binary.tar.gz), extract it, and pass the cifar-10-batches-bin directory.',
    ],
    ['a file that is not a batch', () => loadCifar10({ directory: bad, download: false }), RangeError, `loadCifar10: ${join(bad, 'data_batch_3.bin')} is not a CIFAR-10 binary batch (100 bytes, not a multiple of 3073)`],
    ['a label above 9', () => loadCifar10({ directory: badLabel, download: false }), RangeError, `loadCifar10: ${join(badLabel, 'test_batch.bin')} has label 12 in record 1; CIFAR-10 labels are 0-9`],
    ['an empty directory string', () => loadCifar10(''), TypeError, 'loadCifar10: directory must be a non-empty path string, got ""'],
    ['options not an object', () => loadCifar10(5 as never), TypeError, 'loadCifar10: options must be an object, got 5'],
    ['directory not a string', () => loadCifar10({ directory: 7 as never }), TypeError, 'loadCifar10: directory must be a non-empty path string, got 7'],
    ['download not a boolean', () => loadCifar10({ directory: bad, download: 'no' as never }), TypeError, 'loadCifar10: download must be a boolean, got "no"'],
    ['a url that is not http(s)', () => loadCifar10({ directory: '/nonexistent/cifar', url: 'ftp://example.org/c.tgz' }), TypeError, 'loadCifar10: url must be an http or https URL, got "ftp://example.org/c.tgz"'],
    ['an md5 that is not 32 hex digits', () => loadCifar10({ directory: '/nonexistent/cifar', md5: 'c32a1d4a' }), TypeError, 'loadCifar10: md5 must be 32 hex digits, got "c32a1d4a"'],
    ['onProgress not a function', () => loadCifar10({ directory: '/nonexistent/cifar', onProgress: true as never }), TypeError, 'loadCifar10: onProgress must be a function, got true'],
    ['trainLimit negative', () => loadCifar10({ directory: '/nonexistent/cifar', trainLimit: -1 }), RangeError, 'loadCifar10: trainLimit must be a whole number >= 0 or Infinity, got -1'],
    ['stallTimeoutMs zero', () => loadCifar10({ directory: '/nonexistent/cifar', stallTimeoutMs: 0 }), RangeError, 'loadCifar10: stallTimeoutMs must be a finite number > 0, got 0'],
    ['connectTimeoutMs NaN', () => loadCifar10({ directory: '/nonexistent/cifar', connectTimeoutMs: Number.NaN }), RangeError, 'loadCifar10: connectTimeoutMs must be a finite number > 0, got NaN'],
    ['stallTimeoutMs a string', () => loadCifar10({ directory: '/nonexistent/cifar', stallTimeoutMs: '60' as never }), TypeError, 'loadCifar10: stallTimeoutMs must be a finite number > 0, got "60"'],
  ];
  pinRejections(cases, it);
});
