import { dispose, Tensor } from '@tensorflow/tfjs-core';
import { model as functionalModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { assertIntegerIn, assertKnownOptions, assertOneOf, assertOptionsObject, checkRange, describe } from '../internal/validate';
import { DEFAULT_RANGE, fitPowerLaw, POWER_LAW_WEIGHTINGS, type PowerLawWeighting } from '../spectrum/fitPowerLaw';
import { measuredSpectrum, numericalRank } from '../spectrum/estimateAlpha';
import { EIGEN_METHODS, type EigenMethod } from '../spectrum/options';
import { SpectralRegularizer } from './SpectralRegularizer';

/**
 * Options of {@link measureAlpha}.
 * @example
 * ```ts
 * const [hidden] = await measureAlpha(model, xTest, { layers: ['hidden'], range: [0, 10], method: 'exact' });
 * ```
 */
export interface MeasureAlphaOptions {
  /**
   * Names of the layers to measure. Without it, every layer with a single
   * output of at least range[1] features is measured, except input layers
   * and {@link SpectralRegularizer} layers (they pass their input through,
   * so they would repeat the layer before them; name one to measure it).
   * @default undefined (all measurable layers)
   */
  layers?: string[];
  /** Half-open 0-based slice [start, end) of the spectrum to fit. @default [0, 10] */
  range?: readonly [number, number];
  /** Eigenspectrum method; `'auto'` is fast for wide layers. @default 'auto' */
  method?: EigenMethod;
  /** Batch size of the inference pass over x. @default 256 */
  batchSize?: number;
  /** How the fit weights the ranks; see {@link PowerLawWeighting}. @default 'uniform' */
  weighting?: PowerLawWeighting;
}

/**
 * The spectrum measurement of one layer.
 * @example
 * ```ts
 * for (const { layer, features, alpha, r2 } of await measureAlpha(model, xTest)) {
 *   console.log(layer, features, alpha.toFixed(2), r2.toFixed(3));
 * }
 * ```
 */
export interface LayerAlpha {
  layer: string;
  /** Flattened width of the layer's output. */
  features: number;
  /** The fitted exponent; NaN when the range reaches past `numericalRank`. */
  alpha: number;
  /** r2 of the fit; NaN with alpha. */
  r2: number;
  /** Intercept of the fit; NaN with alpha. */
  intercept: number;
  /** The normalised leading spectrum, with values below float32 rounding noise as 0. */
  spectrum: Float32Array;
  /**
   * Leading eigenvalues above float32 rounding noise, among those computed
   * (all with method `'exact'`, else range[1]). Below range[1], the
   * range would be fitted to noise (a softmax output of 10 units has rank
   * 9 at most), so no alpha is given.
   */
  numericalRank: number;
}

/**
 * Measures alpha (and the fit's r2) of the activations of every layer, or of
 * the named layers, of a trained model on the inputs `x`. The model runs in
 * inference mode and is not changed. A layer whose fitted range reaches
 * eigenvalues below float32 rounding noise gets alpha, r2 and intercept NaN
 * and its `numericalRank`, instead of a number fitted to noise; a constant
 * (dead) layer gets numericalRank 0 and a spectrum of zeros. NaN or
 * Infinity in a layer's activations is an error naming the layer.
 *
 * @example
 * ```ts
 * import { measureAlpha } from 'spectral-reg';
 *
 * const perLayer = await measureAlpha(model, xTest.slice(0, 2000), { layers: ['hidden'] });
 * console.table(perLayer.map(({ layer, alpha, r2 }) => ({ layer, alpha, r2 })));
 * ```
 */
export async function measureAlpha(model: LayersModel, x: Tensor | Tensor[], options?: MeasureAlphaOptions): Promise<LayerAlpha[]> {
  const fn = 'measureAlpha';
  if (model === null || typeof model !== 'object' || !Array.isArray((model as LayersModel).layers) || !Array.isArray((model as LayersModel).inputs)) {
    throw new TypeError(`${fn}: model must be a tfjs-layers LayersModel, got ${describe(model)}`);
  }
  const inputs = Array.isArray(x) ? x : [x];
  if (!inputs.every((t) => t instanceof Tensor)) {
    throw new TypeError(`${fn}: x must be a tf.Tensor or an array of them, got ${describe(x)}`);
  }
  assertOptionsObject(fn, options);
  assertKnownOptions(fn, options, ['layers', 'range', 'method', 'batchSize', 'weighting']);
  const range = checkRange(fn, options?.range ?? DEFAULT_RANGE, Number.POSITIVE_INFINITY);
  const method = options?.method ?? 'auto';
  assertOneOf(fn, 'method', method, EIGEN_METHODS);
  const batchSize = options?.batchSize ?? 256;
  assertIntegerIn(fn, 'batchSize', batchSize, 1, Number.MAX_SAFE_INTEGER);
  const weighting = options?.weighting ?? 'uniform';
  assertOneOf(fn, 'weighting', weighting, POWER_LAW_WEIGHTINGS);

  const targets = chooseLayers(fn, model, options?.layers, range[1]);
  if (targets.length === 0) return [];
  const probe = functionalModel({ inputs: model.inputs, outputs: targets.map((t) => t.output) });
  const outputs = probe.predict(x, { batchSize });
  const activations = Array.isArray(outputs) ? outputs : [outputs];
  try {
    const results: LayerAlpha[] = [];
    for (let i = 0; i < targets.length; i++) {
      const { name, features } = targets[i] as { name: string; features: number };
      // Errors name the layer; a constant (dead) layer has rank 0 and no alpha.
      const { spectrum } = await measuredSpectrum(`${fn} (layer "${name}")`, activations[i] as Tensor, { range, method }, true);
      const rank = numericalRank(spectrum);
      const fit = rank >= range[1] ? fitPowerLaw(spectrum, { range, weighting }) : { alpha: Number.NaN, r2: Number.NaN, intercept: Number.NaN };
      results.push({ layer: name, features, ...fit, spectrum, numericalRank: rank });
    }
    return results;
  } finally {
    dispose(activations);
  }
}

interface Target {
  name: string;
  output: SymbolicTensor;
  features: number;
}

function chooseLayers(fn: string, model: LayersModel, names: string[] | undefined, minFeatures: number): Target[] {
  const describeLayer = (layer: LayersModel['layers'][number]): Target | string => {
    let output: SymbolicTensor | SymbolicTensor[];
    try {
      output = layer.output;
    } catch {
      return 'it is used more than once in the model';
    }
    if (Array.isArray(output)) return 'it has several outputs';
    const dims = output.shape.slice(1);
    if (output.shape.length < 2 || !dims.every((d): d is number => typeof d === 'number')) return `its output shape [${output.shape.join(', ')}] has no fixed feature size`;
    const features = dims.reduce((a, b) => a * b, 1);
    if (features < minFeatures) return `its ${features} features are fewer than range end ${minFeatures}`;
    return { name: layer.name, output, features };
  };
  if (names === undefined) {
    // A regulariser layer passes its input through: measuring it would repeat the layer before.
    return model.layers
      .filter((layer) => layer.getClassName() !== 'InputLayer' && !(layer instanceof SpectralRegularizer))
      .map(describeLayer)
      .filter((t): t is Target => typeof t !== 'string');
  }
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
    throw new TypeError(`${fn}: layers must be an array of layer names, got ${describe(names)}`);
  }
  return names.map((name) => {
    const layer = model.layers.find((l) => l.name === name);
    if (layer === undefined) {
      throw new RangeError(`${fn}: no layer named ${JSON.stringify(name)}; the model has ${model.layers.map((l) => l.name).join(', ')}`);
    }
    const target = describeLayer(layer);
    if (typeof target === 'string') throw new RangeError(`${fn}: cannot measure layer ${JSON.stringify(name)}: ${target}`);
    return target;
  });
}
