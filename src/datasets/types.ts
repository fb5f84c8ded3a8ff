import type { Tensor1D, Tensor4D } from '@tensorflow/tfjs-core';

// Type aliases, not interfaces, so that `tf.dispose(dataset)` type-checks (a TensorContainer needs an index signature).

/**
 * One split of an {@link ImageDataset}.
 * @example
 * ```ts
 * const { train }: { train: DatasetSplit } = await loadMnist({ trainLimit: 1000 });
 * console.log(train.x.shape, train.y.shape); // [1000, 28, 28, 1] [1000]
 * ```
 */
export type DatasetSplit = {
  /** Images, float32 in [0, 1] (pixel / 255), shaped [n, height, width, channels]. */
  x: Tensor4D;
  /** Class indices, int32, shaped [n]. */
  y: Tensor1D;
};

/**
 * What the loaders of `spectral-reg/datasets` resolve to: train and test
 * images and labels as tensors, in file order. Dispose the four tensors
 * when done (`tf.dispose(dataset)`).
 * @example
 * ```ts
 * const data: ImageDataset = await loadMnist({ trainLimit: 3000, testLimit: 500 });
 * const yTrain = tf.oneHot(data.train.y, data.classes); // for categoricalCrossentropy
 * tf.dispose([data, yTrain]);
 * ```
 */
export type ImageDataset = {
  train: DatasetSplit;
  test: DatasetSplit;
  /** Number of classes: the largest label in the files plus one (10 for MNIST and CIFAR-10). */
  classes: number;
};

/**
 * How many images of each split to load: the first ones, in file order.
 * @example
 * ```ts
 * const limits: DatasetLimits = { trainLimit: 3000, testLimit: 500 };
 * const { train, test } = await loadMnist(limits);
 * ```
 */
export interface DatasetLimits {
  /** Training images to load; a whole number >= 0. @default Infinity (all) */
  trainLimit?: number;
  /** Test images to load; a whole number >= 0. @default Infinity (all) */
  testLimit?: number;
}

/** @internal One split as plain arrays: images count x height x width x channels, row-major, in [0, 1]. */
export interface RawSplit {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

/**
 * @internal A dataset as plain arrays, before any tensor is made: what the
 * examples' experiment runner consumes (it slices subsets without tensors).
 */
export interface RawDataset {
  /** Shape of one image: [height, width, channels]. */
  imageShape: [number, number, number];
  classes: number;
  train: RawSplit;
  test: RawSplit;
}
