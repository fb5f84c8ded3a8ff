/**
 * The paper's models (section 3; authors' training script), each with a
 * SpectralRegularizer after the last hidden layer. A strength of 0 gives the
 * unregularised baseline while still measuring alpha during training.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { spectralRegularizer, type SpectralLossMode } from '../../src/index';

export type ModelName = 'shallow-mlp' | 'deep-mlp' | 'cnn';
export const MODEL_NAMES: ModelName[] = ['shallow-mlp', 'deep-mlp', 'cnn'];

/** The paper's batch sizes (authors' code) and epochs. */
export const PAPER_DEFAULTS: Record<ModelName, { batchSize: number; epochs: number }> = {
  'shallow-mlp': { batchSize: 1500, epochs: 50 },
  'deep-mlp': { batchSize: 1500, epochs: 50 },
  cnn: { batchSize: 6000, epochs: 200 },
};

export interface RegularizerSettings {
  targetAlpha: number;
  strength: number;
  mode: SpectralLossMode;
  range: [number, number];
}

/** The model; with `reg` null, the plain network without the regulariser layer. */
export function buildModel(name: ModelName, imageShape: [number, number, number], classes: number, reg: RegularizerSettings | null, seed: number): tfl.Sequential {
  let layerSeed = seed * 101;
  const init = () => tfl.initializers.glorotUniform({ seed: ++layerSeed });
  const dense = (units: number, activation: 'tanh' | 'softmax', extra: object = {}) =>
    tfl.layers.dense({ units, activation, kernelInitializer: init(), ...extra });
  const layers: tfl.layers.Layer[] = [];
  if (name === 'shallow-mlp') {
    layers.push(tfl.layers.flatten({ inputShape: imageShape }), dense(2000, 'tanh', { name: 'hidden' }));
  } else if (name === 'deep-mlp') {
    layers.push(tfl.layers.flatten({ inputShape: imageShape }), dense(1000, 'tanh'), dense(1000, 'tanh'), dense(1000, 'tanh', { name: 'hidden' }));
  } else {
    layers.push(
      tfl.layers.conv2d({ inputShape: imageShape, filters: 16, kernelSize: 3, activation: 'tanh', kernelInitializer: init() }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'tanh', kernelInitializer: init() }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      dense(1000, 'tanh', { name: 'hidden' }),
    );
  }
  // Only the regulariser's settings (callers may pass a whole run configuration); the
  // spectrum's seed is the run's, as it always was.
  if (reg !== null) layers.push(spectralRegularizer({ targetAlpha: reg.targetAlpha, strength: reg.strength, mode: reg.mode, range: reg.range, seed, name: 'spectral' }));
  layers.push(dense(classes, 'softmax'));
  return tfl.sequential({ layers });
}
