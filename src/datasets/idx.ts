/**
 * Reader for the idx format of MNIST, Fashion-MNIST and EMNIST
 * (big-endian header: magic 0x00000803 for images, 0x00000801 for labels),
 * raw or gzipped as they are distributed (told by the gzip magic, not the
 * name). The header is checked against the file before any byte is used: a
 * truncated or padded file is an error naming it, not garbage labels.
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

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

/** The file's bytes, gunzipped when they start with the gzip magic (1f 8b). */
async function readBytes(fn: string, path: string): Promise<Buffer> {
  const bytes = await readFile(path);
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return await gunzipAsync(bytes);
  } catch (error) {
    throw new RangeError(`${fn}: ${path} is a truncated or corrupt gzip file (${(error as Error).message})`);
  }
}

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

/** The first `limit` images of an idx image file (a view of the file's bytes, no copy). */
export async function readIdxImages(fn: string, path: string, limit = Infinity): Promise<IdxImages> {
  const buffer = await readBytes(fn, path);
  const [total, rows, cols] = readHeader(fn, path, buffer, 'image') as [number, number, number];
  const count = Math.min(total, limit);
  return { pixels: new Uint8Array(buffer.buffer, buffer.byteOffset + 16, count * rows * cols), count, rows, cols, total };
}

/** The first `limit` labels of an idx label file (a view of the file's bytes, no copy). */
export async function readIdxLabels(fn: string, path: string, limit = Infinity): Promise<Uint8Array> {
  const buffer = await readBytes(fn, path);
  const [total] = readHeader(fn, path, buffer, 'label') as [number];
  return new Uint8Array(buffer.buffer, buffer.byteOffset + 8, Math.min(total, limit));
}
