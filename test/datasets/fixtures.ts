/** Small idx and CIFAR-10 files with known contents, for the dataset tests. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CIFAR_RECORD_BYTES, CIFAR_TEST_FILES, CIFAR_TRAIN_FILES } from '../../src/datasets/cifar10';

/** An idx file: big-endian magic and sizes, then `body` (default: as many bytes as the sizes promise, value = index % 256); gzipped when `gzip`. */
export function writeIdx(path: string, magic: number, sizes: number[], body?: Uint8Array, gzip = false): void {
  const header = Buffer.alloc(4 + 4 * sizes.length);
  header.writeUInt32BE(magic, 0);
  for (const [i, size] of sizes.entries()) header.writeUInt32BE(size, 4 + 4 * i);
  const data = body ?? Uint8Array.from({ length: sizes.reduce((a, b) => a * b, 1) }, (_, i) => i % 256);
  const bytes = Buffer.concat([header, data]);
  writeFileSync(path, gzip ? gzipSync(bytes) : bytes);
}

/** The four MNIST-named files of `rows`x`cols` images in `dir`; labels are index % classes. */
export function writeIdxDataset(dir: string, { train, test, classes, rows = 1, cols = 1, gzip = false }: { train: number; test: number; classes: number; rows?: number; cols?: number; gzip?: boolean }): void {
  const suffix = gzip ? '.gz' : '';
  for (const [prefix, n] of [
    ['train', train],
    ['t10k', test],
  ] as const) {
    writeIdx(join(dir, `${prefix}-images-idx3-ubyte${suffix}`), 0x803, [n, rows, cols], undefined, gzip);
    writeIdx(join(dir, `${prefix}-labels-idx1-ubyte${suffix}`), 0x801, [n], Uint8Array.from({ length: n }, (_, i) => i % classes), gzip);
  }
}

/** CIFAR-10 binary batches of `perFile` records with known pixels: value = (record + channel * 7 + pixel) % 256, label = record % 10. */
export function writeCifar(directory: string, perFile: number): void {
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
