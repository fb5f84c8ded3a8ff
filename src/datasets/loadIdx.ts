import { assertOptionsObject, describe } from '../internal/validate';
import { MNIST_FILE_NAMES, readIdxDataset, type IdxFileNames } from './idxDataset';
import { resolveLimits } from './limits';
import { toTensors } from './toTensors';
import type { DatasetLimits, ImageDataset, RawDataset } from './types';

/**
 * Options of {@link loadIdx}.
 * @example
 * ```ts
 * // EMNIST digits, as downloaded: other file names, gzipped.
 * const options: LoadIdxOptions = {
 *   files: {
 *     trainImages: 'emnist-digits-train-images-idx3-ubyte',
 *     trainLabels: 'emnist-digits-train-labels-idx1-ubyte',
 *     testImages: 'emnist-digits-test-images-idx3-ubyte',
 *     testLabels: 'emnist-digits-test-labels-idx1-ubyte',
 *   },
 * };
 * const emnist = await loadIdx('data/emnist/gzip', options);
 * ```
 */
export interface LoadIdxOptions extends DatasetLimits {
  /**
   * File names inside the directory, each a plain name. A name is tried as
   * given, then with `.gz` appended; gzipped files are recognised by their
   * content and decompressed.
   * @default MNIST's: `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`
   */
  files?: Partial<IdxFileNames>;
}

/** Checks the directory and options of loadIdx and applies the defaults. */
function resolveIdxOptions(fn: string, directory: unknown, options: LoadIdxOptions | undefined): { directory: string; files: IdxFileNames; limits: { trainLimit: number; testLimit: number } } {
  if (typeof directory !== 'string' || directory.length === 0) throw new TypeError(`${fn}: directory must be a non-empty path string, got ${describe(directory)}`);
  assertOptionsObject(fn, options);
  const limits = resolveLimits(fn, options, ['files']);
  if (options?.files !== undefined && (options.files === null || typeof options.files !== 'object')) {
    throw new TypeError(`${fn}: files must be an object of file names, got ${describe(options.files)}`);
  }
  const files = { ...MNIST_FILE_NAMES };
  for (const key of Object.keys(MNIST_FILE_NAMES) as Array<keyof IdxFileNames>) {
    const name = options?.files?.[key];
    if (name === undefined) continue;
    if (typeof name !== 'string' || name.length === 0 || /[\\/]/.test(name) || name === '.' || name === '..') {
      throw new TypeError(`${fn}: files.${key} must be a plain file name, got ${describe(name)}`);
    }
    files[key] = name;
  }
  return { directory, files, limits };
}

/** @internal loadIdx as plain arrays (what the examples' experiment runner consumes). */
export async function readIdx(directory: string, options?: LoadIdxOptions): Promise<RawDataset> {
  const resolved = resolveIdxOptions('loadIdx', directory, options);
  return readIdxDataset('loadIdx', resolved.directory, resolved.files, resolved.limits);
}

/**
 * Loads an idx dataset (the format of MNIST, Fashion-MNIST, KMNIST and
 * EMNIST) from a directory: train and test images and labels, each file
 * raw or gzipped (`train-images-idx3-ubyte` or `train-images-idx3-ubyte.gz`).
 * Node only: import it from `spectral-reg/datasets`.
 *
 * Every file's header is checked before a byte is used (magic number,
 * images of at least 1x1, a size of exactly what the header promises), the
 * images and labels of a split must have the same count, and train and test
 * images the same size; errors name the function and the file. `classes` is
 * the largest label in either label file plus one, whatever the limits.
 * EMNIST's images are stored transposed; they are returned as stored.
 *
 * @returns `{ train: { x, y }, test: { x, y }, classes }`: x float32 in
 *   [0, 1] (pixel / 255), shaped [n, rows, cols, 1]; y int32 class indices.
 * @example
 * ```ts
 * import { loadIdx } from 'spectral-reg/datasets';
 *
 * // A directory holding Fashion-MNIST's four .gz files, as downloaded.
 * const { train, test, classes } = await loadIdx('data/fashion', { trainLimit: 10_000 });
 * console.log(train.x.shape, test.y.shape, classes); // [10000, 28, 28, 1] [10000] 10
 * ```
 */
export async function loadIdx(directory: string, options?: LoadIdxOptions): Promise<ImageDataset> {
  return toTensors(await readIdx(directory, options));
}
