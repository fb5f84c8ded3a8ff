import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { eigenspectrum, estimateAlpha, fitPowerLaw, spectralAlpha, spectralHistory, spectralLoss, spectralRegularizer } from '../src/index';
import { fileSystem } from '../src/node/index';
import { expectNoLeak, pinErrors } from './helpers/oracles';

/** Every message names the function, the argument and the offending value. */
describe('error messages (pinned word for word)', () => {
  const x = () => tf.randomNormal([6, 4], 0, 1, 'float32', 1);
  const cases: Array<[string, () => unknown, ErrorConstructor, string]> = [
    ['not a tensor', () => eigenspectrum(5 as never), TypeError, 'eigenspectrum: activations must be a tf.Tensor, got 5'],
    ['array instead of tensor', () => spectralLoss([[1, 2]] as never, { targetAlpha: 1 }), TypeError, 'spectralLoss: activations must be a tf.Tensor, got [[1, 2]]'],
    ['rank 1', () => eigenspectrum(tf.tensor1d([1, 2, 3])), RangeError, 'eigenspectrum: activations must have rank >= 2 ([batch, ...features]), got rank 1 (shape [3])'],
    ['batch 1', () => spectralAlpha(tf.ones([1, 5])), RangeError, 'spectralAlpha: activations must have a batch of at least 2 to have a covariance, got 1'],
    ['bool dtype', () => eigenspectrum(tf.ones([3, 3], 'bool')), TypeError, 'eigenspectrum: activations must be a float32 or int32 tensor, got dtype bool'],
    ['range beyond the spectrum', () => spectralLoss(x(), { targetAlpha: 1 }), RangeError, 'spectralLoss: range end must be <= 4, the most eigenvalues that 6 centred rows of 4 features can have (min(batch - 1, features)), got [0, 10]'],
    ['range of one point', () => spectralLoss(x(), { targetAlpha: 1, range: [2, 3] }), RangeError, 'spectralLoss: range must satisfy 0 <= start and end - start >= 2 (a fit needs 2 points), got [2, 3]'],
    ['negative range start', () => spectralAlpha(x(), { range: [-1, 3] }), RangeError, 'spectralAlpha: range must satisfy 0 <= start and end - start >= 2 (a fit needs 2 points), got [-1, 3]'],
    ['range not a pair', () => spectralAlpha(x(), { range: [0.5, 3] as never }), TypeError, 'spectralAlpha: range must be a pair of integers [start, end), got [0.5, 3]'],
    ['negative strength', () => spectralLoss(x(), { targetAlpha: 1, range: [0, 4], strength: -1 }), RangeError, 'spectralLoss: strength must be a finite number >= 0, got -1'],
    ['NaN target', () => spectralLoss(x(), { targetAlpha: Number.NaN, range: [0, 4] }), RangeError, 'spectralLoss: targetAlpha must be a finite number >= 0, got NaN'],
    ['infinite target', () => spectralLoss(x(), { targetAlpha: Infinity, range: [0, 4] }), RangeError, 'spectralLoss: targetAlpha must be a finite number >= 0, got Infinity'],
    ['negative target', () => spectralLoss(x(), { targetAlpha: -0.5, range: [0, 4] }), RangeError, 'spectralLoss: targetAlpha must be a finite number >= 0, got -0.5'],
    ['missing target', () => spectralLoss(x(), { range: [0, 4] } as never), TypeError, 'spectralLoss: targetAlpha must be a finite number >= 0, got undefined'],
    ['missing options', () => spectralLoss(x(), undefined as never), TypeError, 'spectralLoss: options with a targetAlpha are required, got undefined'],
    ['unknown mode', () => spectralLoss(x(), { targetAlpha: 1, range: [0, 4], mode: 'l2' as never }), RangeError, "spectralLoss: mode must be one of 'slope', 'fixed-slope', 'nassar', got \"l2\""],
    ['k too large', () => eigenspectrum(x(), { k: 5 }), RangeError, 'eigenspectrum: k must be an integer in [1, 4], got 5'],
    ['k zero', () => eigenspectrum(x(), { k: 0 }), RangeError, 'eigenspectrum: k must be an integer in [1, 4], got 0'],
    ['k fractional', () => eigenspectrum(x(), { k: 2.5 }), RangeError, 'eigenspectrum: k must be an integer in [1, 4], got 2.5'],
    ['unknown method', () => eigenspectrum(x(), { method: 'lanczos' as never }), RangeError, "eigenspectrum: method must be one of 'auto', 'exact', 'subspace', got \"lanczos\""],
    ['unknown ritzSolve', () => eigenspectrum(x(), { ritzSolve: 'gpu' as never }), RangeError, "eigenspectrum: ritzSolve must be one of 'auto', 'host', 'device', got \"gpu\""],
    ['options not an object', () => eigenspectrum(x(), 3 as never), TypeError, 'eigenspectrum: options must be an object, got 3'],
    ['bad state', () => eigenspectrum(x(), { state: {} as never }), TypeError, 'eigenspectrum: state must be a SubspaceState, got an object'],
    ['state look-alike', () => eigenspectrum(x(), { state: { kind: 'SubspaceState' } as never }), TypeError, 'eigenspectrum: state must be a SubspaceState, got an object'],
    ['negative iterations', () => eigenspectrum(x(), { iterations: -1 }), RangeError, 'eigenspectrum: iterations must be an integer in [0, 1000], got -1'],
    ['negative tolerance', () => eigenspectrum(x(), { tolerance: -1 }), RangeError, 'eigenspectrum: tolerance must be a finite number >= 0, got -1'],
    ['fitPowerLaw: not an array', () => fitPowerLaw(3 as never), TypeError, 'fitPowerLaw: spectrum must be an array of numbers, got 3'],
    ['fitPowerLaw: short spectrum', () => fitPowerLaw([1, 0.5, 0.2]), RangeError, 'fitPowerLaw: range end must be <= 3, the number of eigenvalues available, got [0, 10]'],
    ['fitPowerLaw: NaN value', () => fitPowerLaw([1, Number.NaN, 0.2], { range: [0, 3] }), RangeError, 'fitPowerLaw: spectrum[1] must be a finite number, got NaN'],
    ['fitPowerLaw: zero with epsilon 0', () => fitPowerLaw([1, 0, 0.2], { range: [0, 3], epsilon: 0 }), RangeError, 'fitPowerLaw: spectrum[1] is 0; with epsilon 0 every value in range must be > 0'],
    ['fitPowerLaw: negative epsilon', () => fitPowerLaw([1, 0.5], { range: [0, 2], epsilon: -1 }), RangeError, 'fitPowerLaw: epsilon must be a finite number >= 0, got -1'],
  ];
  pinErrors(cases, it);

  it('estimateAlpha: zero-variance activations', async () => {
    await expect(estimateAlpha(tf.fill([12, 10], 2))).rejects.toThrow(
      new RangeError('estimateAlpha: activations have zero variance over the batch (every row is the same), so alpha is undefined; got total variance 0'),
    );
  });

  it('estimateAlpha: options not an object', async () => {
    await expect(estimateAlpha(tf.randomNormal([20, 12]), 5 as never)).rejects.toThrow(new TypeError('estimateAlpha: options must be an object, got 5'));
  });

  it('estimateAlpha: ragged array', async () => {
    await expect(estimateAlpha([[1, 2], [3]])).rejects.toThrow(
      new TypeError('estimateAlpha: activations given as an array must be a rectangular number[][], got [[1, 2], [3]]'),
    );
  });

  it('estimateAlpha: range beyond the spectrum', async () => {
    await expect(estimateAlpha(tf.randomNormal([20, 5]))).rejects.toThrow(
      new RangeError('estimateAlpha: range end must be <= 5, the most eigenvalues that 20 centred rows of 5 features can have (min(batch - 1, features)), got [0, 10]'),
    );
  });

  it('failed calls leak no tensors (including arrays converted by estimateAlpha)', async () => {
    const input = tf.fill([10, 5], 2);
    await expectNoLeak(async () => {
      await estimateAlpha(input).catch(() => undefined);
      await estimateAlpha(Array.from({ length: 4 }, () => [1, 2])).catch(() => undefined);
      try {
        spectralLoss(input, { targetAlpha: 1 });
      } catch {
        // expected
      }
    });
    input.dispose();
  });
});

describe('SpectralRegularizer and spectralHistory errors (pinned)', () => {
  const cases: Array<[string, () => unknown, ErrorConstructor, string]> = [
    ['no args', () => spectralRegularizer(undefined as never), TypeError, 'SpectralRegularizer: args with a targetAlpha are required, got undefined'],
    ['missing target', () => spectralRegularizer({} as never), TypeError, 'SpectralRegularizer: targetAlpha must be a finite number >= 0, got undefined'],
    ['negative strength', () => spectralRegularizer({ targetAlpha: 1, strength: -0.1 }), RangeError, 'SpectralRegularizer: strength must be a finite number >= 0, got -0.1'],
    ['bad range', () => spectralRegularizer({ targetAlpha: 1, range: [5, 5] }), RangeError, 'SpectralRegularizer: range must satisfy 0 <= start and end - start >= 2 (a fit needs 2 points), got [5, 5]'],
    ['bad mode', () => spectralRegularizer({ targetAlpha: 1, mode: 'fast' as never }), RangeError, "SpectralRegularizer: mode must be one of 'slope', 'fixed-slope', 'nassar', got \"fast\""],
    ['bad method', () => spectralRegularizer({ targetAlpha: 1, method: 'eig' as never }), RangeError, "SpectralRegularizer: method must be one of 'auto', 'exact', 'subspace', got \"eig\""],
    ['range wider than the layer', () => tfl.sequential({ layers: [tfl.layers.dense({ units: 8, inputShape: [4] }), spectralRegularizer({ targetAlpha: 1 })] }), RangeError, 'SpectralRegularizer: range end must be <= 8, the number of features of its input (shape [null, 8]), got [0, 10]'],
    ['history: bad suffix', () => spectralHistory({ logSuffix: '' }), TypeError, 'spectralHistory: logSuffix must be a non-empty string, got ""'],
    ['history: bad onEpoch', () => spectralHistory({ onEpoch: 3 as never }), TypeError, 'spectralHistory: onEpoch must be a function, got 3'],
    ['fileSystem: no directory', () => fileSystem('' as never), TypeError, 'fileSystem: directory must be a non-empty path string, got ""'],
    ['fileSystem: path as file name', () => fileSystem('out', { weightsFileName: 'a/b.bin' }), TypeError, 'fileSystem: weightsFileName must be a plain file name, got "a/b.bin"'],
    ['fileSystem: the parent as file name', () => fileSystem('out', { modelFileName: '..' }), TypeError, 'fileSystem: modelFileName must be a plain file name, got ".."'],
    ['fileSystem: the directory as file name', () => fileSystem('out', { weightsFileName: '.' }), TypeError, 'fileSystem: weightsFileName must be a plain file name, got "."'],
    [
      'fileSystem: one name for both files',
      () => fileSystem('out', { modelFileName: 'm', weightsFileName: 'm' }),
      RangeError,
      'fileSystem: modelFileName and weightsFileName must differ (model.json would overwrite the weights), got "m" for both',
    ],
  ];
  pinErrors(cases, it);
});
