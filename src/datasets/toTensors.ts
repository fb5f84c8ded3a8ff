import { tensor1d, tensor4d, tidy } from '@tensorflow/tfjs-core';
import type { ImageDataset, RawDataset, RawSplit } from './types';

/** The public form of a dataset: four tensors, made in one tidy so that a failure leaves none behind. */
export function toTensors(raw: RawDataset): ImageDataset {
  const split = ({ images, labels, count }: RawSplit) => ({ x: tensor4d(images, [count, ...raw.imageShape]), y: tensor1d(Int32Array.from(labels), 'int32') });
  return tidy(() => ({ train: split(raw.train), test: split(raw.test), classes: raw.classes }));
}
