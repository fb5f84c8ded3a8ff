/**
 * CIFAR-10 on demand: the official binary archive, downloaded once into the
 * directory, checked against its published MD5, and extracted.
 *
 * The archive is https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz
 * (162 MB); its MD5, c32a1d4ab5d03f1284b67883e8d87530, is the one printed on
 * https://www.cs.toronto.edu/~kriz/cifar.html. A partial or corrupt download
 * never reaches the batch files: it is written to a .partial file, hashed
 * while it streams, and extracted only after the checksum matches, into a
 * staging directory whose files are then renamed into place. Everything is
 * written inside the directory (created if needed, removed again if a
 * failed download created it). A server that does not answer, or stops
 * sending, is given up on after a timeout; partial files are removed on any
 * error, and those of killed runs by the next download.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { processAlive } from '../node/processAlive';
import { CIFAR_TEST_FILES, CIFAR_TRAIN_FILES, missingCifar10Files } from './cifar10';
import { extractTarGz } from './untar';

/** The directory the archive unpacks to. */
export const CIFAR10_ARCHIVE_ROOT = 'cifar-10-batches-bin';
const MEMBERS = [...CIFAR_TRAIN_FILES, ...CIFAR_TEST_FILES];

export interface DownloadSettings {
  url: string;
  /** Lower-case hex. */
  md5: string;
  onProgress: (received: number, total: number | null) => void;
  connectTimeoutMs: number;
  stallTimeoutMs: number;
}

/** `.cifar-10-binary.tar.gz.partial-<pid>` and `.cifar-10-extract-<pid>`: the pid tells a killed run's leftovers. */
const LEFTOVER = /^\.cifar-10-(?:binary\.tar\.gz\.partial|extract)-(\d+)$/;

/** Removes the partial download and staging directory of runs whose process no longer runs. */
function removeLeftovers(directory: string): void {
  for (const entry of readdirSync(directory)) {
    const match = LEFTOVER.exec(entry);
    if (match && !processAlive(Number(match[1]))) rmSync(join(directory, entry), { recursive: true, force: true });
  }
}

function errorReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? error.cause.message : error.message;
}

/**
 * Makes sure `directory` holds the six CIFAR-10 binary batches, downloading
 * and extracting the archive first when any is missing. Errors name `fn`.
 */
export async function ensureCifar10(fn: string, directory: string, settings: DownloadSettings): Promise<void> {
  if (missingCifar10Files(directory).length === 0) return;
  const { url, md5, connectTimeoutMs, stallTimeoutMs } = settings;
  const created = !existsSync(directory);
  mkdirSync(directory, { recursive: true });
  removeLeftovers(directory);
  const partial = join(directory, `.cifar-10-binary.tar.gz.partial-${process.pid}`);
  const staging = join(directory, `.cifar-10-extract-${process.pid}`);
  // One timer: first for the response headers, then re-armed by every chunk of the body.
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), ms);
  };
  let received = 0;
  let succeeded = false;
  try {
    let response: Response;
    try {
      arm(connectTimeoutMs);
      response = await fetch(url, { signal: controller.signal });
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    } catch (error) {
      const reason = controller.signal.aborted ? `no response within ${connectTimeoutMs} ms, connectTimeoutMs` : errorReason(error);
      throw new Error(
        `${fn}: no CIFAR-10 batches in ${directory}, and downloading ${url} failed (${reason}). ` +
          `Offline, fetch cifar-10-binary.tar.gz elsewhere, check that its MD5 is ${md5}, extract it, and pass ` +
          `its ${CIFAR10_ARCHIVE_ROOT} directory (or set CIFAR10_DIR).`,
      );
    }
    const length = Number(response.headers.get('content-length'));
    const total = Number.isFinite(length) && length > 0 ? length : null;
    const hash = createHash('md5');
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        arm(stallTimeoutMs);
        hash.update(chunk);
        received += chunk.length;
        settings.onProgress(received, total);
        callback(null, chunk);
      },
    });
    arm(stallTimeoutMs);
    try {
      await pipeline(Readable.fromWeb(response.body as never), hashing, createWriteStream(partial, { flags: 'wx' }));
    } catch (error) {
      if (!controller.signal.aborted) throw error;
      throw new Error(`${fn}: the download from ${url} stalled: no data for ${stallTimeoutMs} ms (stallTimeoutMs) after ${received} bytes; the partial file was deleted`);
    } finally {
      clearTimeout(timer);
    }
    const actual = hash.digest('hex');
    if (actual !== md5) throw new Error(`${fn}: the download from ${url} has MD5 ${actual}, expected ${md5}; it was deleted, nothing was cached`);
    mkdirSync(staging);
    // Only the expected batch files, nothing else from the archive.
    const wanted = new Map(MEMBERS.map((file) => [`${CIFAR10_ARCHIVE_ROOT}/${file}`, join(staging, file)]));
    let extracted: string[];
    try {
      extracted = await extractTarGz(partial, wanted);
    } catch (error) {
      throw new Error(`${fn}: the archive from ${url} is not a valid .tar.gz file: ${errorReason(error)}`);
    }
    const lacking = [...wanted.keys()].filter((path) => !extracted.includes(path));
    if (lacking.length > 0) throw new Error(`${fn}: the archive from ${url} lacks ${lacking.join(', ')}`);
    // File by file, so that other files in a user's directory are left alone.
    for (const file of MEMBERS) renameSync(join(staging, file), join(directory, file));
    succeeded = true;
  } finally {
    clearTimeout(timer);
    rmSync(partial, { force: true });
    rmSync(staging, { recursive: true, force: true });
    // A directory this call created and left empty goes again.
    if (!succeeded && created && readdirSync(directory).length === 0) rmdirSync(directory);
  }
}
