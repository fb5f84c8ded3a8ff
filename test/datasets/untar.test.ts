import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { create as createTar } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractTarGz } from '../../src/datasets/untar';

/** One tar header block (ustar), with a correct checksum unless `badChecksum`. */
function header(name: string, size: number, { type = '0', prefix = '', badChecksum = false } = {}): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 100, 'utf8');
  block.write('0000644\0', 100);
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  block.write(type, 156);
  block.write('ustar\0' + '00', 257, 'latin1');
  block.write(prefix, 345, 155, 'utf8');
  block.fill(0x20, 148, 156);
  const sum = block.reduce((a, b) => a + b, 0) + (badChecksum ? 1 : 0);
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

/** A member: header, then `body` padded to 512 bytes. */
function member(name: string, body: string | Buffer, options: Parameters<typeof header>[2] = {}): Buffer {
  const bytes = Buffer.from(body);
  return Buffer.concat([header(name, bytes.length, options), bytes, Buffer.alloc((512 - (bytes.length % 512)) % 512)]);
}

/** A pax extended-header record: "<length> key=value\n", the length counting itself. */
function paxRecord(key: string, value: string): string {
  const rest = ` ${key}=${value}\n`;
  let length = rest.length + 1;
  while (String(length).length + rest.length !== length) length++;
  return `${length}${rest}`;
}

const end = Buffer.alloc(1024);
const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/wanted.bin`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'untar-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `blocks` gzipped to archive.tar.gz and extracts `wanted` (archive path -> file name in out/). */
async function extract(blocks: Buffer[], wanted: Record<string, string>) {
  const archive = join(dir, 'archive.tar.gz');
  writeFileSync(archive, gzipSync(Buffer.concat(blocks)));
  mkdirSync(join(dir, 'out'), { recursive: true });
  const map = new Map(Object.entries(wanted).map(([path, name]) => [path, join(dir, 'out', name)]));
  return extractTarGz(archive, map);
}

describe('extractTarGz', () => {
  it('writes only the wanted regular files, found by ustar prefix, GNU long name or pax path, each to the path given for it', async () => {
    const written = await extract(
      [
        member('skip/me.bin', 'not wanted'),
        member('a.bin', 'from a prefix', { prefix: 'root' }),
        member('././@LongLink', `${long}\0`, { type: 'L' }),
        member(long.slice(0, 99), 'from a GNU long name'),
        member('PaxHeader/x', paxRecord('mtime', '1700000000') + paxRecord('path', 'root/pax.bin'), { type: 'x' }),
        member('truncated-nam', 'from a pax path'),
        member('./root/b.bin', 'with a leading ./'),
        member('root/dir', '', { type: '5' }),
        end,
      ],
      { 'root/a.bin': 'a', [long]: 'long', 'root/pax.bin': 'pax', 'root/b.bin': 'b', 'truncated-nam': 'never', 'skip/other.bin': 'never', 'root/dir': 'dir' },
    );
    expect(written).toEqual(['root/a.bin', long, 'root/pax.bin', 'root/b.bin']);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['a', 'b', 'long', 'pax']);
    expect(readFileSync(join(dir, 'out', 'pax'), 'utf8')).toBe('from a pax path');
    expect(readFileSync(join(dir, 'out', 'a'), 'utf8')).toBe('from a prefix');
    expect(readFileSync(join(dir, 'out', 'long'), 'utf8')).toBe('from a GNU long name');
    expect(readFileSync(join(dir, 'out', 'b'), 'utf8')).toBe('with a leading ./');
  });

  it('reads a pax path record, as written by node-tar for long paths', async () => {
    const source = join(dir, 'src');
    mkdirSync(join(source, ...long.split('/').slice(0, -1)), { recursive: true });
    writeFileSync(join(source, long), Buffer.alloc(70_000, 3));
    await createTar({ gzip: true, file: join(dir, 'node-tar.tar.gz'), cwd: source }, [long.split('/')[0] as string]);
    mkdirSync(join(dir, 'out'));
    const written = await extractTarGz(join(dir, 'node-tar.tar.gz'), new Map([[long, join(dir, 'out', 'long')]]));
    expect(written).toEqual([long]);
    expect(readFileSync(join(dir, 'out', 'long')).equals(Buffer.alloc(70_000, 3))).toBe(true);
  });

  it('a wrong header checksum is an error naming the header', async () => {
    await expect(extract([member('a.bin', 'x'), member('b.bin', 'y', { badChecksum: true }), end], { 'b.bin': 'b' })).rejects.toThrow(
      new Error('the header at byte 1024 has a wrong checksum'),
    );
  });

  it('an archive that ends inside a member is an error', async () => {
    const cut = member('a.bin', Buffer.alloc(2000)).subarray(0, 1000);
    await expect(extract([cut], { 'a.bin': 'a' })).rejects.toThrow(new Error('it ends inside the member a.bin'));
  });

  it('never writes over an existing file', async () => {
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out', 'a'), 'keep');
    await expect(extract([member('a.bin', 'new'), end], { 'a.bin': 'a' })).rejects.toThrow(/EEXIST/);
    expect(readFileSync(join(dir, 'out', 'a'), 'utf8')).toBe('keep');
  });
});
