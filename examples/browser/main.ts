/**
 * The browser example: a small MLP on a bundled MNIST subset, trained with
 * a SpectralRegularizer, with the eigenspectrum and alpha plotted live after
 * every epoch. The slider sets the target alpha; moving it restarts training.
 *
 * URL parameters: backend (webgl, webgpu, cpu; default webgl), alpha (initial
 * target, default 2.5), epochs (default 15).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { estimateAlpha, spectralHistory, spectralRegularizer } from '../../src/index';

const HIDDEN = 256;
const RANGE: [number, number] = [0, 10];
const BATCH = 250;

interface Subset {
  train: { x: tf.Tensor2D; y: tf.Tensor2D };
  test: { x: tf.Tensor2D; labels: tf.Tensor1D };
}

interface EpochPoint {
  epoch: number;
  trainAlpha: number;
  testAlpha: number;
  accuracy: number;
}

/** What the page exposes for scripts (the screenshot driver and the browser test). */
interface ExampleState {
  backend: string;
  target: number;
  epochs: EpochPoint[];
  done: boolean;
  error: string | null;
}

const params = new URLSearchParams(location.search);
const state: ExampleState = { backend: '', target: Number(params.get('alpha') ?? 2.5), epochs: [], done: false, error: null };
(window as unknown as { exampleState: ExampleState }).exampleState = state;
const maxEpochs = Number(params.get('epochs') ?? 15);

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function loadSubset(): Promise<Subset> {
  const meta = (await (await fetch('mnist-subset.json')).json()) as { train: number; test: number };
  const bytes = async (name: string) => new Uint8Array(await (await fetch(name)).arrayBuffer());
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    ['train-images.bin', 'train-labels.bin', 'test-images.bin', 'test-labels.bin'].map(bytes),
  );
  const images = (pixels: Uint8Array | undefined, n: number) => tf.tidy(() => tf.div(tf.tensor2d(pixels as Uint8Array, [n, 784], 'int32'), 255)) as tf.Tensor2D;
  return {
    train: {
      x: images(trainImages, meta.train),
      y: tf.oneHot(tf.tensor1d(trainLabels as Uint8Array, 'int32'), 10) as tf.Tensor2D,
    },
    test: { x: images(testImages, meta.test), labels: tf.tensor1d(testLabels as Uint8Array, 'int32') },
  };
}

function buildModel(target: number): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [784], units: HIDDEN, activation: 'tanh', name: 'hidden', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      spectralRegularizer({ targetAlpha: target, strength: 1, range: RANGE, name: 'spectral' }),
      tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(2e-3), loss: 'categoricalCrossentropy' });
  return model;
}

async function render(id: string, spec: TopLevelSpec): Promise<void> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'svg', container: $(id), hover: false });
  await view.runAsync();
}

async function plotSpectrum(spectrum: Float32Array, alpha: number, intercept: number, target: number): Promise<void> {
  const values = Array.from(spectrum.subarray(0, 100), (lambda, i) => ({ rank: i + 1, lambda, series: 'eigenvalue' }));
  const fit = [RANGE[0] + 1, RANGE[1]].map((rank) => ({ rank, lambda: Math.exp(intercept) * rank ** -alpha, series: `fit, alpha ${alpha.toFixed(2)}` }));
  const reference = [1, 100].map((rank) => ({ rank, lambda: (spectrum[0] as number) * rank ** -target, series: `1/n^${target.toFixed(1)} (target)` }));
  await render('spectrum', {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Eigenspectrum of the hidden layer (test images)',
    width: 360,
    height: 260,
    data: { values: [...values, ...fit, ...reference] },
    mark: { type: 'line', point: false, clip: true },
    encoding: {
      x: { field: 'rank', type: 'quantitative', scale: { type: 'log' }, title: 'rank n' },
      y: { field: 'lambda', type: 'quantitative', scale: { type: 'log' }, title: 'eigenvalue / trace' },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', labelLimit: 0 } },
      strokeDash: { condition: { test: "datum.series != 'eigenvalue'", value: [4, 3] }, value: [1, 0] },
    },
  } as TopLevelSpec);
}

async function plotAlpha(points: EpochPoint[], target: number): Promise<void> {
  const values = points.flatMap((p) => [
    { epoch: p.epoch, alpha: p.trainAlpha, series: 'alpha, training batches' },
    { epoch: p.epoch, alpha: p.testAlpha, series: 'alpha, test images' },
  ]);
  await render('alpha', {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'alpha per epoch',
    width: 360,
    height: 260,
    layer: [
      {
        data: { values },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', scale: { domain: [1, maxEpochs] }, axis: { tickMinStep: 1 } },
          y: { field: 'alpha', type: 'quantitative', scale: { zero: false }, title: 'alpha (dashed: target)' },
          color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', labelLimit: 0 } },
        },
      },
      { data: { values: [{ target }] }, mark: { type: 'rule', strokeDash: [4, 3], color: 'gray' }, encoding: { y: { field: 'target', type: 'quantitative' } } },
    ],
  } as TopLevelSpec);
}

let generation = 0;

/** Trains from scratch towards `target`; stops early when a newer run starts. */
async function train(subset: Subset, target: number): Promise<void> {
  const run = ++generation;
  state.target = target;
  state.epochs = [];
  state.done = false;
  const model = buildModel(target);
  const hidden = tfl.model({ inputs: model.inputs, outputs: model.getLayer('hidden').output as tfl.SymbolicTensor });
  try {
    for (let epoch = 1; epoch <= maxEpochs && run === generation; epoch++) {
      const history = await model.fit(subset.train.x, subset.train.y, { epochs: 1, batchSize: BATCH, shuffle: true, verbose: 0, callbacks: [spectralHistory()] });
      if (run !== generation) break;
      const activations = hidden.predict(subset.test.x) as tf.Tensor;
      const measured = await estimateAlpha(activations, { range: RANGE });
      activations.dispose();
      const predictions = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(model.predict(subset.test.x) as tf.Tensor, 1), subset.test.labels), 'float32')));
      const accuracy = (await predictions.data())[0] as number;
      predictions.dispose();
      const point = { epoch, trainAlpha: (history.history.spectral_alpha as number[])[0] as number, testAlpha: measured.alpha, accuracy };
      state.epochs.push(point);
      $('status').textContent =
        `${state.backend}: epoch ${epoch}/${maxEpochs}, target alpha ${target.toFixed(1)}, ` +
        `measured alpha ${measured.alpha.toFixed(2)} (r2 ${measured.r2.toFixed(3)}), test accuracy ${(100 * accuracy).toFixed(1)} %`;
      await plotSpectrum(measured.spectrum, measured.alpha, measured.intercept, target);
      await plotAlpha(state.epochs, target);
    }
    if (run === generation) state.done = true;
  } finally {
    model.dispose();
  }
}

async function main(): Promise<void> {
  const requested = params.get('backend') ?? 'webgl';
  if (!(await tf.setBackend(requested))) await tf.setBackend('cpu');
  await tf.ready();
  state.backend = tf.getBackend();
  $('status').textContent = `${state.backend}: loading the MNIST subset...`;
  const subset = await loadSubset();
  const slider = $<HTMLInputElement>('target');
  const label = $('target-value');
  slider.value = String(state.target);
  label.textContent = state.target.toFixed(1);
  slider.addEventListener('input', () => (label.textContent = Number(slider.value).toFixed(1)));
  slider.addEventListener('change', () => void train(subset, Number(slider.value)).catch(fail));
  await train(subset, state.target);
}

function fail(error: unknown): void {
  state.error = error instanceof Error ? error.message : String(error);
  $('status').textContent = `error: ${state.error}`;
}

main().catch(fail);
