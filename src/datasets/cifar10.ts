/**
 * CIFAR-10, binary version (https://www.cs.toronto.edu/~kriz/cifar.html):
 * data_batch_1..5.bin and test_batch.bin, each record 1 label byte then
 * 3072 pixel bytes (1024 red, 1024 green, 1024 blue, row-major 32x32).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RawSplit } from './types';

export const CIFAR_RECORD_BYTES = 1 + 3072;
export const CIFAR_TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
export const CIFAR_TEST_FILES = ['test_batch.bin'];

/** Which of the given batch files (default: all six) are not in `directory`. */
export function missingCifar10Files(directory: string, files: readonly string[] = [...CIFAR_TRAIN_FILES, ...CIFAR_TEST_FILES]): string[] {
  return files.filter((f) => !existsSync(join(directory, f)));
}

/** The first `limit` images of a split as channels-last floats in [0, 1] (count x 32 x 32 x 3), and their labels. */
export async function readCifar10Split(fn: string, directory: string, split: 'train' | 'test', limit: number): Promise<RawSplit> {
  const files = split === 'train' ? CIFAR_TRAIN_FILES : CIFAR_TEST_FILES;
  const missing = missingCifar10Files(directory, files);
  if (missing.length > 0) {
    throw new Error(
      `${fn}: ${directory} lacks ${missing.join(', ')}. Download the CIFAR-10 binary version (cifar-10-binary.tar.gz), extract it, and pass the cifar-10-batches-bin directory.`,
    );
  }
  const records = await Promise.all(files.map((f) => readFile(join(directory, f))));
  for (const [i, r] of records.entries()) {
    if (r.length % CIFAR_RECORD_BYTES !== 0) throw new RangeError(`${fn}: ${join(directory, files[i] as string)} is not a CIFAR-10 binary batch (${r.length} bytes, not a multiple of ${CIFAR_RECORD_BYTES})`);
  }
  const total = records.reduce((n, r) => n + r.length / CIFAR_RECORD_BYTES, 0);
  const count = Math.min(total, limit);
  const images = new Float32Array(count * 3072);
  const labels = new Uint8Array(count);
  let n = 0;
  for (const [f, buffer] of records.entries()) {
    for (let offset = 0; offset < buffer.length && n < count; offset += CIFAR_RECORD_BYTES, n++) {
      const label = buffer[offset] as number;
      if (label > 9) throw new RangeError(`${fn}: ${join(directory, files[f] as string)} has label ${label} in record ${offset / CIFAR_RECORD_BYTES}; CIFAR-10 labels are 0-9`);
      labels[n] = label;
      // Planar RGB to channels-last.
      for (let p = 0; p < 1024; p++) {
        for (let c = 0; c < 3; c++) images[n * 3072 + p * 3 + c] = (buffer[offset + 1 + c * 1024 + p] as number) / 255;
      }
    }
  }
  return { images, labels, count };
}
