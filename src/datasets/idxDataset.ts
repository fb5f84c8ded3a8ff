/**
 * A directory of idx files as a dataset: train and test images and labels,
 * raw or gzipped, checked against each other.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readIdxImages, readIdxLabels } from './idx';
import type { RawDataset } from './types';

/**
 * The four file names of an idx dataset. Each is looked up as given and,
 * when that file does not exist, with `.gz` appended.
 * @example
 * ```ts
 * const kmnist: Partial<IdxFileNames> = { testImages: 't10k-images-idx3-ubyte.gz' };
 * await loadIdx('data/kmnist', { files: kmnist });
 * ```
 */
export interface IdxFileNames {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

/** MNIST's names, which Fashion-MNIST and KMNIST share. */
export const MNIST_FILE_NAMES: IdxFileNames = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** `<directory>/<name>`, else `<directory>/<name>.gz`; an error naming both when neither is a file. */
async function findFile(fn: string, directory: string, name: string): Promise<string> {
  const candidates = name.endsWith('.gz') ? [name] : [name, `${name}.gz`];
  for (const candidate of candidates) if (await isFile(join(directory, candidate))) return join(directory, candidate);
  throw new Error(`${fn}: ${directory} has no ${candidates.join(' or ')}`);
}

async function readSplit(fn: string, directory: string, imagesName: string, labelsName: string, limit: number) {
  const imagesPath = await findFile(fn, directory, imagesName);
  const labelsPath = await findFile(fn, directory, labelsName);
  const { pixels, count, rows, cols, total } = await readIdxImages(fn, imagesPath, limit);
  // All labels first (a view, no copy), so that a mismatch shows whatever the limit.
  const labels = await readIdxLabels(fn, labelsPath);
  if (labels.length !== total) throw new RangeError(`${fn}: ${imagesPath} holds ${total} images but ${labelsPath} holds ${labels.length} labels`);
  // pixel / 255 in float32, in file order: run results depend on exactly these values.
  const images = new Float32Array(count * rows * cols);
  for (let i = 0; i < images.length; i++) images[i] = (pixels[i] as number) / 255;
  return { images, labels: labels.slice(0, count), count, rows, cols, classes: classCount(labels) };
}

/** The largest label plus one, over the whole file whatever the limit; a loop, since spreading 240k+ labels into Math.max overflows the stack. */
function classCount(labels: Uint8Array): number {
  let max = -1;
  for (const label of labels) if (label > max) max = label;
  return max + 1;
}

/** Reads an idx dataset as plain arrays; errors name `fn`, the directory and the file. */
export async function readIdxDataset(fn: string, directory: string, files: IdxFileNames, limits: { trainLimit: number; testLimit: number }): Promise<RawDataset> {
  if (!(await stat(directory).then((s) => s.isDirectory(), () => false))) throw new Error(`${fn}: ${directory} is not a directory`);
  const train = await readSplit(fn, directory, files.trainImages, files.trainLabels, limits.trainLimit);
  const test = await readSplit(fn, directory, files.testImages, files.testLabels, limits.testLimit);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new RangeError(`${fn}: ${directory} has train images of ${train.rows}x${train.cols} but test images of ${test.rows}x${test.cols}`);
  }
  const split = ({ images, labels, count }: typeof train) => ({ images, labels, count });
  return { imageShape: [train.rows, train.cols, 1], classes: Math.max(train.classes, test.classes), train: split(train), test: split(test) };
}
