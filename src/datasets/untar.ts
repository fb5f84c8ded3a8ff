/**
 * Extracts named files from a gzipped tar archive, streaming, with no
 * dependency: ustar headers (name with prefix), pax `path` records and GNU
 * long names are read; every header's checksum is checked. Only members
 * whose archive path is asked for are written, each to the path given for
 * it (created exclusively), so nothing else from the archive reaches the
 * disk and no archive path decides where a file goes.
 */
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

const BLOCK = 512;

/** Reads exact byte counts from a stream of chunks. */
class ByteReader {
  private chunks: Buffer[] = [];
  private length = 0;
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** The next `n` bytes, or null at a clean end of the stream; throws when it ends inside them. */
  async read(n: number, what: string): Promise<Buffer | null> {
    while (this.length < n) {
      const next = await this.source.next();
      if (next.done) {
        if (this.length === 0) return null;
        throw new Error(`it ends inside ${what}`);
      }
      this.chunks.push(next.value);
      this.length += next.value.length;
    }
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.length);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
    return all.subarray(0, n);
  }
}

const text = (block: Buffer, start: number, length: number) => {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.toString('utf8', 0, end === -1 ? length : end);
};

function octal(block: Buffer, start: number, length: number, field: string): number {
  const value = text(block, start, length).trim();
  if (!/^[0-7]+$/.test(value)) throw new Error(`a header has ${field} ${JSON.stringify(value)}, not an octal number`);
  return Number.parseInt(value, 8);
}

interface Header {
  path: string;
  size: number;
  type: string;
}

function parseHeader(block: Buffer, offset: number): Header | null {
  if (block.every((b) => b === 0)) return null;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] as number);
  if (sum !== octal(block, 148, 8, 'checksum')) throw new Error(`the header at byte ${offset} has a wrong checksum`);
  const name = text(block, 0, 100);
  const prefix = block.toString('latin1', 257, 262) === 'ustar' ? text(block, 345, 155) : '';
  const type = block[156] === 0 ? '0' : String.fromCharCode(block[156] as number);
  return { path: prefix ? `${prefix}/${name}` : name, size: octal(block, 124, 12, 'size'), type };
}

/** The `path` record of a pax extended header, if any. */
function paxPath(body: Buffer): string | undefined {
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    const length = Number.parseInt(body.toString('utf8', at, space), 10);
    if (space === -1 || !(length > 0)) break;
    const record = body.toString('utf8', space + 1, at + length - 1);
    if (record.startsWith('path=')) return record.slice(5);
    at += length;
  }
  return undefined;
}

/**
 * Writes the members of `archive` (a .tar.gz file) named in `wanted` (archive
 * path, without a leading `./`, to output path); returns the archive paths
 * written. Errors say what is wrong with the archive, for the caller to name it.
 */
export async function extractTarGz(archive: string, wanted: ReadonlyMap<string, string>): Promise<string[]> {
  const reader = new ByteReader(createReadStream(archive).pipe(createGunzip())[Symbol.asyncIterator]());
  const written: string[] = [];
  let offset = 0;
  let nextPath: string | undefined;
  for (;;) {
    const block = await reader.read(BLOCK, 'a header');
    if (block === null) break;
    const header = parseHeader(block, offset);
    if (header === null) break;
    const padded = Math.ceil(header.size / BLOCK) * BLOCK;
    const body = padded === 0 ? Buffer.alloc(0) : await reader.read(padded, `the member ${header.path}`);
    if (body === null) throw new Error(`it ends before the member ${header.path}`);
    offset += BLOCK + padded;
    const content = body.subarray(0, header.size);
    if (header.type === 'x') {
      nextPath = paxPath(content) ?? nextPath;
      continue;
    }
    if (header.type === 'L') {
      nextPath = text(content, 0, content.length);
      continue;
    }
    const path = (nextPath ?? header.path).replace(/^\.\//, '');
    nextPath = undefined;
    const target = wanted.get(path);
    if (target === undefined || (header.type !== '0' && header.type !== '7')) continue;
    await writeFile(target, content, { flag: 'wx' });
    written.push(path);
  }
  return written;
}
