/**
 * CIFAR-10 on demand: the official binary archive, downloaded once into a
 * cache directory, checked against its published MD5, and extracted.
 *
 * The archive is https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz
 * (162 MB); its MD5, c32a1d4ab5d03f1284b67883e8d87530, is the one printed on
 * https://www.cs.toronto.edu/~kriz/cifar.html. A partial or corrupt download
 * never lands in the cache: it is written to a .partial file, hashed while
 * it streams, and renamed only after the checksum matches; extraction goes
 * to a temporary directory that is renamed into place at the end. A server
 * that does not answer, or stops sending, is given up on after a timeout;
 * partial files are removed on any error, and those of killed runs by the
 * next download.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { x as extract } from 'tar';
import { processAlive } from '../../src/node/processAlive';
import { CIFAR_TEST_FILES, CIFAR_TRAIN_FILES, missingCifar10Files } from './cifar10';

export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
export const CIFAR10_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';
/** The directory the archive unpacks to. */
const ARCHIVE_ROOT = 'cifar-10-batches-bin';
const MEMBERS = [...CIFAR_TRAIN_FILES, ...CIFAR_TEST_FILES];

export interface EnsureCifar10Options {
  /**
   * Where the binary batches live or will be put.
   * @default $CIFAR10_DIR, else <cache>/cifar-10-batches-bin with <cache> = $XDG_CACHE_HOME/spectral-reg or ~/.cache/spectral-reg
   */
  directory?: string;
  /** @default CIFAR10_URL */
  url?: string;
  /** Expected MD5 of the archive, hex. @default CIFAR10_MD5 */
  md5?: string;
  /** Called as bytes arrive; `total` is null when the server sends no length. */
  onProgress?: (received: number, total: number | null) => void;
  /** Milliseconds to wait for the server's response headers. @default 30000 */
  connectTimeoutMs?: number;
  /** Milliseconds without a single byte of the body after which the download is abandoned. @default 60000 */
  stallTimeoutMs?: number;
}

/** `<parent>/cifar-10-binary.tar.gz.partial-<pid>` and `<parent>/.cifar-10-extract-<pid>`: the pid tells a killed run's leftovers. */
const LEFTOVER = /^(?:cifar-10-binary\.tar\.gz\.partial|\.cifar-10-extract)-(\d+)$/;

/** Removes the partial download and extraction directory of runs whose process no longer runs. */
function removeLeftovers(parent: string): void {
  for (const entry of readdirSync(parent)) {
    const match = LEFTOVER.exec(entry);
    if (match && !processAlive(Number(match[1]))) rmSync(join(parent, entry), { recursive: true, force: true });
  }
}

function timeoutOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new (typeof value === 'number' ? RangeError : TypeError)(`ensureCifar10: ${name} must be a finite number > 0, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
  }
  return value;
}

export function defaultCifar10Directory(): string {
  if (process.env.CIFAR10_DIR) return process.env.CIFAR10_DIR;
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(cache, 'spectral-reg', ARCHIVE_ROOT);
}

export function hasCifar10(directory: string): boolean {
  return missingCifar10Files(directory).length === 0;
}

/**
 * Returns a directory holding the CIFAR-10 binary batches, downloading and
 * extracting the official archive first when they are not there yet.
 */
export async function ensureCifar10(options: EnsureCifar10Options = {}): Promise<string> {
  const connectTimeout = timeoutOption('connectTimeoutMs', options.connectTimeoutMs, 30_000);
  const stallTimeout = timeoutOption('stallTimeoutMs', options.stallTimeoutMs, 60_000);
  const directory = options.directory ?? defaultCifar10Directory();
  if (hasCifar10(directory)) return directory;
  const url = options.url ?? CIFAR10_URL;
  const md5 = (options.md5 ?? CIFAR10_MD5).toLowerCase();
  const parent = join(directory, '..');
  mkdirSync(parent, { recursive: true });
  removeLeftovers(parent);
  const partial = join(parent, `cifar-10-binary.tar.gz.partial-${process.pid}`);
  const staging = join(parent, `.cifar-10-extract-${process.pid}`);
  // One timer: first for the response headers, then re-armed by every chunk of the body.
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), ms);
  };
  let received = 0;
  try {
    let response: Response;
    try {
      arm(connectTimeout);
      response = await fetch(url, { signal: controller.signal });
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    } catch (error) {
      const reason = controller.signal.aborted
        ? `no response within ${connectTimeout} ms, connectTimeoutMs`
        : error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error);
      throw new Error(
        `ensureCifar10: no CIFAR-10 batches in ${directory}, and downloading ${url} failed (${reason}). ` +
          `Offline, fetch cifar-10-binary.tar.gz elsewhere, check that its MD5 is ${md5}, extract it, and pass ` +
          `--dataset cifar10:<dir>/${ARCHIVE_ROOT} or set CIFAR10_DIR.`,
      );
    }
    const length = Number(response.headers.get('content-length'));
    const total = Number.isFinite(length) && length > 0 ? length : null;
    const hash = createHash('md5');
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        arm(stallTimeout);
        hash.update(chunk);
        received += chunk.length;
        options.onProgress?.(received, total);
        callback(null, chunk);
      },
    });
    arm(stallTimeout);
    try {
      await pipeline(Readable.fromWeb(response.body as never), hashing, createWriteStream(partial));
    } catch (error) {
      if (!controller.signal.aborted) throw error;
      throw new Error(`ensureCifar10: the download from ${url} stalled: no data for ${stallTimeout} ms (stallTimeoutMs) after ${received} bytes; the partial file was deleted`);
    } finally {
      clearTimeout(timer);
    }
    const actual = hash.digest('hex');
    if (actual !== md5) {
      throw new Error(`ensureCifar10: the download from ${url} has MD5 ${actual}, expected ${md5}; it was deleted, nothing was cached`);
    }
    mkdirSync(staging, { recursive: true });
    // Only the expected batch files, nothing else from the archive.
    const wanted = new Set(MEMBERS.map((file) => `${ARCHIVE_ROOT}/${file}`));
    await extract({ file: partial, cwd: staging, strict: true, filter: (path) => wanted.has(path.replace(/^\.\//, '')) });
    const extracted = join(staging, ARCHIVE_ROOT);
    if (!hasCifar10(extracted)) throw new Error(`ensureCifar10: the archive from ${url} lacks some of ${MEMBERS.join(', ')}`);
    // File by file, so that other files in a user's directory are left alone.
    mkdirSync(directory, { recursive: true });
    for (const file of MEMBERS) renameSync(join(extracted, file), join(directory, file));
    return directory;
  } finally {
    clearTimeout(timer);
    rmSync(partial, { force: true });
    rmSync(staging, { recursive: true, force: true });
  }
}
