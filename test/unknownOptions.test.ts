/**
 * Issue 13: a misspelt option is an error naming it and the closest valid
 * key, in every exported function, instead of a silent default.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import {
  eigenspectrum,
  estimateAlpha,
  fgsm,
  fitPowerLaw,
  measureAlpha,
  pgd,
  robustAccuracy,
  spectralAlpha,
  spectralHistory,
  spectralLoss,
  spectralRegularizer,
} from '../src/index';
import { loadCifar10, loadIdx, loadMnist } from '../src/datasets/index';
import { fileSystem, parallelAttack, setupNodeBackend } from '../src/node/index';
import { gaussianMatrix, pinErrors } from './helpers/oracles';

const x = () => tf.tensor2d(gaussianMatrix(30, 12, 1));
const model = () => tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [4], activation: 'softmax' })] });
const inputs = () => [tf.fill([2, 4], 0.5), tf.tensor1d([0, 1], 'int32')] as const;

describe('unknown options (pinned)', () => {
  pinErrors(
    [
      ['spectralLoss', () => spectralLoss(x(), { targetAlpha: 1, strenght: 2 } as never), TypeError, "spectralLoss: unknown option 'strenght' (did you mean 'strength'?)"],
      ['eigenspectrum', () => eigenspectrum(x(), { oversample: 4 } as never), TypeError, "eigenspectrum: unknown option 'oversample' (did you mean 'oversampling'?)"],
      ['spectralAlpha', () => spectralAlpha(x(), { rnage: [0, 5] } as never), TypeError, "spectralAlpha: unknown option 'rnage' (did you mean 'range'?)"],
      ['spectralAlpha: loss options', () => spectralAlpha(x(), { targetAlpha: 2 } as never), TypeError, "spectralAlpha: unknown option 'targetAlpha'; the options are 'method', 'iterations', 'coldStartIterations', 'tolerance', 'oversampling', 'state', 'ritzSolve', 'seed', 'range'"],
      ['fitPowerLaw', () => fitPowerLaw([1, 0.5, 0.3], { range: [0, 3], weights: 'uniform' } as never), TypeError, "fitPowerLaw: unknown option 'weights' (did you mean 'weighting'?)"],
      ['layer', () => spectralRegularizer({ targetAlpha: 2, targetApha: 3 } as never), TypeError, "SpectralRegularizer: unknown option 'targetApha' (did you mean 'targetAlpha'?)"],
      ['spectralHistory', () => spectralHistory({ logsuffix: '_a' } as never), TypeError, "spectralHistory: unknown option 'logsuffix' (did you mean 'logSuffix'?)"],
      ['fgsm: a pgd option', () => fgsm(model(), ...inputs(), { epsilon: 0.1, steps: 10 } as never), TypeError, "fgsm: unknown option 'steps'; the options are 'epsilon', 'norm', 'clip', 'loss', 'outputs', 'targeted', 'batchSize'"],
      ['pgd', () => pgd(model(), ...inputs(), { epsilon: 0.1, stepsize: 0.01 } as never), TypeError, "pgd: unknown option 'stepsize' (did you mean 'stepSize'?)"],
      ['fileSystem', () => fileSystem('out', { modelFile: 'a.json' } as never), TypeError, "fileSystem: unknown option 'modelFile' (did you mean 'modelFileName'?)"],
    ],
    it,
  );

  it('in the dataset loaders', async () => {
    await expect(loadMnist({ trainLimt: 10 } as never)).rejects.toThrow(new TypeError("loadMnist: unknown option 'trainLimt' (did you mean 'trainLimit'?)"));
    await expect(loadIdx('data', { file: {} } as never)).rejects.toThrow(new TypeError("loadIdx: unknown option 'file' (did you mean 'files'?)"));
    await expect(loadCifar10({ downlaod: false } as never)).rejects.toThrow(new TypeError("loadCifar10: unknown option 'downlaod' (did you mean 'download'?)"));
  });

  it('in the async functions too', async () => {
    await expect(estimateAlpha(x(), { methd: 'exact' } as never)).rejects.toThrow(new TypeError("estimateAlpha: unknown option 'methd' (did you mean 'method'?)"));
    await expect(measureAlpha(model(), tf.ones([4, 4]), { layer: ['x'] } as never)).rejects.toThrow(new TypeError("measureAlpha: unknown option 'layer' (did you mean 'layers'?)"));
    await expect(robustAccuracy(model(), ...inputs(), { attack: 'fgsm', epsilons: [0.1], steps: 5 } as never)).rejects.toThrow(
      new TypeError("robustAccuracy: unknown option 'steps'; the options are 'attack', 'epsilons', 'onProgress', 'norm', 'clip', 'loss', 'outputs', 'targeted', 'batchSize'"),
    );
    await expect(setupNodeBackend({ thread: 2 } as never)).rejects.toThrow(new TypeError("setupNodeBackend: unknown option 'thread' (did you mean 'threads'?)"));
    await expect(parallelAttack(model(), ...inputs(), { attack: 'pgd', epsilon: 0.1, worker: 2 } as never)).rejects.toThrow(
      new TypeError("parallelAttack: unknown option 'worker' (did you mean 'workers'?)"),
    );
  });

  it("the layer takes tfjs-layers' own arguments, and still round-trips through its config", () => {
    const layer = spectralRegularizer({ targetAlpha: 2, name: 'spec', trainable: false, inputShape: [12], dtype: 'float32' });
    const m = tfl.sequential({ layers: [layer] });
    const copy = tfl.models.modelFromJSON({ modelTopology: m.toJSON(null, false) } as never);
    return copy.then((c) => expect(c.layers[0]?.getConfig()).toMatchObject({ targetAlpha: 2, name: 'spec' }));
  });
});
