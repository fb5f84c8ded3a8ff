import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { create as createTar } from 'tar';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadCifar10 } from '../../src/datasets/index';
import { writeCifar } from './fixtures';

const BATCHES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];

/** A loopback server whose handler is `handle`; counts requests; `close` also drops connections it left hanging. */
async function serve(handle: Parameters<typeof createServer>[1]) {
  let requests = 0;
  const server: Server = createServer((request, response) => {
    requests++;
    handle?.(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/cifar-10-binary.tar.gz`;
  return {
    url,
    requests: () => requests,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Serves `body` whole, with its length. */
async function serveBytes(body: Buffer) {
  const served = await serve((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/gzip', 'content-length': String(body.length) });
    response.end(body);
  });
  return { ...served, md5: createHash('md5').update(body).digest('hex') };
}

/** A small archive laid out like cifar-10-binary.tar.gz (two records per batch, and a readme), minus `drop`. */
async function cifarArchive(root: string, drop: string[] = []): Promise<Buffer> {
  const source = join(root, 'cifar-10-batches-bin');
  mkdirSync(source, { recursive: true });
  writeCifar(source, 2);
  writeFileSync(join(source, 'readme.html'), 'not a batch');
  for (const file of drop) rmSync(join(source, file));
  const archive = join(root, 'archive.tar.gz');
  await createTar({ gzip: true, file: archive, cwd: root }, ['cifar-10-batches-bin']);
  return readFileSync(archive);
}

let scratch: string;
let cache: string;
let directory: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'cifar-archive-'));
  cache = mkdtempSync(join(tmpdir(), 'cifar-cache-'));
  directory = join(cache, 'cifar-10-batches-bin');
});
afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
});

describe('loadCifar10: download once, with a checksum', () => {
  it('downloads once, checks the MD5, extracts only the batches into the directory, then reads from it', async () => {
    const served = await serveBytes(await cifarArchive(scratch));
    try {
      const progress: number[] = [];
      const data = await loadCifar10({ directory, url: served.url, md5: served.md5, onProgress: (received) => progress.push(received) });
      expect(served.requests()).toBe(1);
      expect(progress.length).toBeGreaterThan(0);
      expect(data.train.x.shape).toEqual([10, 32, 32, 3]);
      expect(data.test.x.shape).toEqual([2, 32, 32, 3]);
      // Only the six batches: no readme, no partial download, no staging directory.
      expect(readdirSync(directory).sort()).toEqual(BATCHES);
      expect(readdirSync(cache)).toEqual(['cifar-10-batches-bin']);
      // Cached: no second request.
      const again = await loadCifar10({ directory, url: served.url, md5: served.md5 });
      expect(served.requests()).toBe(1);
      expect(await again.train.x.data()).toEqual(await data.train.x.data());
      tf.dispose([data, again]);
    } finally {
      served.close();
    }
  });

  it('by default, progress goes to stderr', async () => {
    const served = await serveBytes(await cifarArchive(scratch));
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      tf.dispose(await loadCifar10({ directory, url: served.url, md5: served.md5 }));
      const lines = write.mock.calls.map(([text]) => String(text));
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line).toMatch(/^loadCifar10: downloading CIFAR-10: \d+ MB of \d+ MB\n$/);
    } finally {
      write.mockRestore();
      served.close();
    }
  });

  it('with download: false, a missing directory is an error and nothing is requested', async () => {
    const served = await serveBytes(await cifarArchive(scratch));
    try {
      await expect(loadCifar10({ directory, url: served.url, md5: served.md5, download: false })).rejects.toThrow(`loadCifar10: ${directory} lacks data_batch_1.bin`);
      expect(served.requests()).toBe(0);
    } finally {
      served.close();
    }
  });

  it('a checksum mismatch is an error and leaves nothing behind: the directory it created is removed', async () => {
    const served = await serveBytes(await cifarArchive(scratch));
    try {
      await expect(loadCifar10({ directory, url: served.url, md5: '0'.repeat(32), onProgress: () => {} })).rejects.toThrow(
        new Error(`loadCifar10: the download from ${served.url} has MD5 ${served.md5}, expected ${'0'.repeat(32)}; it was deleted, nothing was cached`),
      );
      expect(readdirSync(cache)).toEqual([]);
    } finally {
      served.close();
    }
  });

  it("a failed download into the user's own directory leaves the directory and its files alone", async () => {
    const served = await serveBytes(await cifarArchive(scratch));
    mkdirSync(directory);
    writeFileSync(join(directory, 'notes.txt'), 'mine');
    try {
      await expect(loadCifar10({ directory, url: served.url, md5: 'f'.repeat(32), onProgress: () => {} })).rejects.toThrow(/has MD5/);
      expect(readdirSync(directory)).toEqual(['notes.txt']);
    } finally {
      served.close();
    }
  });

  it('an archive that lacks a batch file is an error naming it, and nothing is kept', async () => {
    const served = await serveBytes(await cifarArchive(scratch, ['data_batch_4.bin']));
    try {
      await expect(loadCifar10({ directory, url: served.url, md5: served.md5, onProgress: () => {} })).rejects.toThrow(
        new Error(`loadCifar10: the archive from ${served.url} lacks cifar-10-batches-bin/data_batch_4.bin`),
      );
      expect(readdirSync(cache)).toEqual([]);
    } finally {
      served.close();
    }
  });

  it('a file that is gzip but not tar is an error, and nothing is kept', async () => {
    const served = await serveBytes(gzipSync(Buffer.alloc(1024, 'x')));
    try {
      await expect(loadCifar10({ directory, url: served.url, md5: served.md5, onProgress: () => {} })).rejects.toThrow(
        new Error(`loadCifar10: the archive from ${served.url} is not a valid .tar.gz file: a header has checksum "xxxxxxxx", not an octal number`),
      );
      expect(readdirSync(cache)).toEqual([]);
    } finally {
      served.close();
    }
  });

  it('offline, the error says how to provide the data', async () => {
    // Port 9 on loopback (discard) is closed here: the connection is refused at once.
    await expect(loadCifar10({ directory, url: 'http://127.0.0.1:9/cifar-10-binary.tar.gz' })).rejects.toThrow(
      /^loadCifar10: no CIFAR-10 batches in .*, and downloading http:\/\/127\.0\.0\.1:9\/cifar-10-binary\.tar\.gz failed \(.*\)\. Offline, fetch cifar-10-binary\.tar\.gz elsewhere, check that its MD5 is c32a1d4ab5d03f1284b67883e8d87530, extract it, and pass its cifar-10-batches-bin directory \(or set CIFAR10_DIR\)\.$/,
    );
    expect(readdirSync(cache)).toEqual([]);
  });
});

describe('loadCifar10: download timeouts and leftovers', () => {
  it('a server that stops sending is given up on after stallTimeoutMs, and no partial file is left', async () => {
    // Headers and 1000 bytes of a promised 10 MB, then silence.
    const served = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/gzip', 'content-length': '10000000' });
      response.write(Buffer.alloc(1000));
    });
    try {
      const started = performance.now();
      await expect(loadCifar10({ directory, url: served.url, stallTimeoutMs: 300, onProgress: () => {} })).rejects.toThrow(
        new Error(`loadCifar10: the download from ${served.url} stalled: no data for 300 ms (stallTimeoutMs) after 1000 bytes; the partial file was deleted`),
      );
      expect(performance.now() - started).toBeLessThan(5000);
      expect(readdirSync(cache)).toEqual([]);
    } finally {
      served.close();
    }
  }, 10_000);

  it('a server that accepts the connection but never answers is given up on after connectTimeoutMs', async () => {
    const served = await serve(() => undefined);
    try {
      await expect(loadCifar10({ directory, url: served.url, connectTimeoutMs: 300 })).rejects.toThrow(
        `loadCifar10: no CIFAR-10 batches in ${directory}, and downloading ${served.url} failed (no response within 300 ms, connectTimeoutMs). Offline,`,
      );
      expect(readdirSync(cache)).toEqual([]);
    } finally {
      served.close();
    }
  }, 10_000);

  it("a killed run's partial download and staging directory are removed by the next download; a live run's are kept", async () => {
    const served = await serveBytes(await cifarArchive(scratch));
    try {
      // The pid of a process that has exited; pid 1 always runs.
      const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
      mkdirSync(join(directory, `.cifar-10-extract-${dead}`), { recursive: true });
      writeFileSync(join(directory, `.cifar-10-binary.tar.gz.partial-${dead}`), 'half an archive');
      writeFileSync(join(directory, '.cifar-10-binary.tar.gz.partial-1'), 'a live download');
      tf.dispose(await loadCifar10({ directory, url: served.url, md5: served.md5, onProgress: () => {} }));
      expect(readdirSync(directory).sort()).toEqual(['.cifar-10-binary.tar.gz.partial-1', ...BATCHES]);
    } finally {
      served.close();
    }
  });
});
