import { homedir } from 'node:os';
import { join } from 'node:path';
import { assertOptionsObject, describe } from '../internal/validate';
import { readCifar10Split } from './cifar10';
import { CIFAR10_ARCHIVE_ROOT, ensureCifar10, type DownloadSettings } from './downloadCifar10';
import { resolveLimits } from './limits';
import { toTensors } from './toTensors';
import type { DatasetLimits, ImageDataset, RawDataset } from './types';

/**
 * The official CIFAR-10 binary archive, which {@link loadCifar10} downloads by default.
 * @example
 * ```ts
 * // A mirror of the same file (the MD5 is still checked).
 * await loadCifar10({ url: CIFAR10_URL.replace('www.cs.toronto.edu', 'mirror.example.org') });
 * ```
 */
export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
/**
 * The MD5 of {@link CIFAR10_URL}, as published on https://www.cs.toronto.edu/~kriz/cifar.html.
 * @example
 * ```sh
 * md5sum cifar-10-binary.tar.gz   # c32a1d4ab5d03f1284b67883e8d87530, CIFAR10_MD5
 * ```
 */
export const CIFAR10_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';

/**
 * Options of {@link loadCifar10}.
 * @example
 * ```ts
 * const options: LoadCifar10Options = { directory: 'data/cifar10', trainLimit: 10_000, onProgress: () => {} };
 * const cifar = await loadCifar10(options); // downloads into data/cifar10 the first time, silently
 * ```
 */
export interface LoadCifar10Options extends DatasetLimits {
  /**
   * Directory of the binary batches (`data_batch_1.bin` ... `test_batch.bin`).
   * @default $CIFAR10_DIR, else `<cache>/spectral-reg/cifar-10-batches-bin` with `<cache>` = $XDG_CACHE_HOME or ~/.cache
   */
  directory?: string;
  /**
   * When batches are missing, download the official archive into `directory`
   * (once; later calls read the files). With false, missing batches are an error.
   * @default true
   */
  download?: boolean;
  /** Where to download the archive from. @default CIFAR10_URL, the official archive */
  url?: string;
  /** Expected MD5 of the archive, 32 hex digits; nothing is extracted from an archive that differs. @default CIFAR10_MD5 */
  md5?: string;
  /**
   * Called as bytes of a download arrive; `total` is null when the server sends no length.
   * @default writes `loadCifar10: downloading CIFAR-10: 16 MB of 170 MB` to stderr in steps of 10 %
   */
  onProgress?: (received: number, total: number | null) => void;
  /** Milliseconds to wait for the server's response headers. @default 30000 */
  connectTimeoutMs?: number;
  /** Milliseconds without a single byte of the body after which a download is abandoned. @default 60000 */
  stallTimeoutMs?: number;
}

/** $CIFAR10_DIR, else the cache directory. */
function defaultDirectory(): string {
  if (process.env.CIFAR10_DIR) return process.env.CIFAR10_DIR;
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'spectral-reg', CIFAR10_ARCHIVE_ROOT);
}

/** Writes a download's progress to stderr in steps of 10 % (of 16 MB without a length). */
function logProgress(): (received: number, total: number | null) => void {
  let reported = -1;
  return (received, total) => {
    const step = total ? Math.floor((10 * received) / total) : Math.floor(received / 16e6);
    if (step === reported) return;
    reported = step;
    process.stderr.write(`loadCifar10: downloading CIFAR-10: ${(received / 1e6).toFixed(0)} MB${total ? ` of ${(total / 1e6).toFixed(0)} MB` : ''}\n`);
  };
}

function timeout(fn: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new (typeof value === 'number' ? RangeError : TypeError)(`${fn}: ${name} must be a finite number > 0, got ${describe(value)}`);
  }
  return value;
}

/** Checks the argument of loadCifar10 and applies every default. */
function resolveCifar10Options(fn: string, directoryOrOptions: unknown) {
  const options = (typeof directoryOrOptions === 'string' ? { directory: directoryOrOptions } : directoryOrOptions) as LoadCifar10Options | undefined;
  assertOptionsObject(fn, options);
  const limits = resolveLimits(fn, options, ['directory', 'download', 'url', 'md5', 'onProgress', 'connectTimeoutMs', 'stallTimeoutMs']);
  const directory = options?.directory ?? defaultDirectory();
  if (typeof directory !== 'string' || directory.length === 0) throw new TypeError(`${fn}: directory must be a non-empty path string, got ${describe(directory)}`);
  const download = options?.download ?? true;
  if (typeof download !== 'boolean') throw new TypeError(`${fn}: download must be a boolean, got ${describe(download)}`);
  const url = options?.url ?? CIFAR10_URL;
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new TypeError(`${fn}: url must be an http or https URL, got ${describe(url)}`);
  const md5 = options?.md5 ?? CIFAR10_MD5;
  if (typeof md5 !== 'string' || !/^[0-9a-fA-F]{32}$/.test(md5)) throw new TypeError(`${fn}: md5 must be 32 hex digits, got ${describe(md5)}`);
  const onProgress = options?.onProgress ?? logProgress();
  if (typeof onProgress !== 'function') throw new TypeError(`${fn}: onProgress must be a function, got ${describe(onProgress)}`);
  const settings: DownloadSettings = {
    url,
    md5: md5.toLowerCase(),
    onProgress,
    connectTimeoutMs: timeout(fn, 'connectTimeoutMs', options?.connectTimeoutMs, 30_000),
    stallTimeoutMs: timeout(fn, 'stallTimeoutMs', options?.stallTimeoutMs, 60_000),
  };
  return { directory, download, limits, settings };
}

/** @internal loadCifar10 as plain arrays (what the examples' experiment runner consumes). */
export async function readCifar10(directoryOrOptions?: string | LoadCifar10Options): Promise<RawDataset> {
  const fn = 'loadCifar10';
  const { directory, download, limits, settings } = resolveCifar10Options(fn, directoryOrOptions);
  if (download) await ensureCifar10(fn, directory, settings);
  return {
    imageShape: [32, 32, 3],
    classes: 10,
    train: await readCifar10Split(fn, directory, 'train', limits.trainLimit),
    test: await readCifar10Split(fn, directory, 'test', limits.testLimit),
  };
}

/**
 * Loads CIFAR-10 (50000 training and 10000 test colour images, 32x32, 10
 * classes) from its binary batches. When they are not in the directory yet,
 * the official archive (162 MB) is downloaded there once, with progress on
 * stderr, checked against its published MD5 before anything is extracted,
 * and only the six batch files are kept. Node only: import it from
 * `spectral-reg/datasets`.
 *
 * A string argument is the directory. Offline, download
 * `cifar-10-binary.tar.gz` elsewhere, extract it, and pass its
 * `cifar-10-batches-bin` directory (or set `CIFAR10_DIR`).
 *
 * @returns `{ train: { x, y }, test: { x, y }, classes: 10 }`: x float32 in
 *   [0, 1] (pixel / 255), channels last, shaped [n, 32, 32, 3]; y int32 class
 *   indices shaped [n].
 * @example
 * ```ts
 * import { loadCifar10 } from 'spectral-reg/datasets';
 *
 * const cifar = await loadCifar10({ trainLimit: 10_000 }); // downloads to ~/.cache/spectral-reg the first time
 * const local = await loadCifar10('data/cifar-10-batches-bin'); // or a directory of your own
 * console.log(cifar.train.x.shape); // [10000, 32, 32, 3]
 * ```
 */
export async function loadCifar10(directoryOrOptions?: string | LoadCifar10Options): Promise<ImageDataset> {
  return toTensors(await readCifar10(directoryOrOptions));
}
