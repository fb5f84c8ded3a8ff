import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it, vi } from 'vitest';
import { spectralHistory, spectralLoss, SpectralRegularizer, spectralRegularizer } from '../../src/index';
import { fileSystem } from '../../src/node/index';
import { expectNoLeak, gaussianMatrix } from '../helpers/oracles';

const F = 12; // input features
const H = 24; // hidden units

function data(n: number, seed: number) {
  const x = tf.tensor2d(gaussianMatrix(n, F, seed));
  const labels = tf.tensor1d(Array.from({ length: n }, (_, i) => i % 3), 'int32');
  return { x, y: tf.oneHot(labels, 3) };
}

function mlp(regularizers: Array<SpectralRegularizer | null>) {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: H, activation: 'tanh', inputShape: [F], name: 'hidden', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }));
  for (const r of regularizers) if (r) model.add(r);
  model.add(tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }));
  model.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy' });
  return model;
}

const layerState = (layer: SpectralRegularizer) => (layer as unknown as { state: { updates: number; basis: tf.Tensor | null } }).state;

describe('SpectralRegularizer: a pass-through layer', () => {
  it('predict returns exactly what the model without it returns, and computes no spectrum', () => {
    const { x } = data(40, 1);
    const layer = spectralRegularizer({ targetAlpha: 2 });
    const withLayer = mlp([layer]);
    const without = mlp([null]);
    expect(Array.from((withLayer.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((without.predict(x) as tf.Tensor).dataSync()));
    withLayer.evaluate(x, data(40, 1).y);
    expect(layerState(layer).updates).toBe(0);
    expect(withLayer.getLayer('hidden').output).toBeDefined();
  });

  it('trainOnBatch adds exactly spectralLoss of the hidden activations to the task loss', async () => {
    const { x, y } = data(64, 2);
    const options = { targetAlpha: 2.5, strength: 0.7, mode: 'fixed-slope' as const, method: 'exact' as const };
    const model = mlp([spectralRegularizer(options)]);
    const plain = mlp([null]);
    const hidden = tfl.model({ inputs: model.inputs, outputs: model.getLayer('hidden').output as tfl.SymbolicTensor }).predict(x) as tf.Tensor;
    const expected = spectralLoss(hidden, options).dataSync()[0]!;
    const withTerm = (await model.trainOnBatch(x, y)) as number;
    const taskOnly = (await plain.trainOnBatch(x, y)) as number;
    expect(withTerm - taskOnly).toBeCloseTo(expected, 4);
  });

  it('model.fit lowers the spectral loss and reports alpha per epoch in history', async () => {
    const { x, y } = data(128, 3);
    const layer = spectralRegularizer({ targetAlpha: 3, strength: 1, name: 'spec' });
    const model = mlp([layer]);
    const history = await model.fit(x, y, { epochs: 6, batchSize: 64, callbacks: [spectralHistory()], verbose: 0 });
    const alphas = history.history.spec_alpha as number[];
    expect(alphas).toHaveLength(6);
    expect(Math.abs(alphas.at(-1)! - 3)).toBeLessThan(Math.abs(alphas[0]! - 3));
  });

  it('fitDataset trains with the term too', async () => {
    const { x, y } = data(96, 4);
    const layer = spectralRegularizer({ targetAlpha: 3, name: 'spec' });
    const model = mlp([layer]);
    const monitor = spectralHistory();
    const dataset = {
      iterator: async () => {
        let i = 0;
        return { next: async () => (i < 3 ? { value: { xs: tf.slice(x, (i++) * 32, 32), ys: tf.slice(y, (i - 1) * 32, 32) }, done: false } : { value: undefined, done: true }) };
      },
    };
    await model.fitDataset(dataset as never, { epochs: 2, callbacks: [monitor], verbose: 0 });
    expect(monitor.forLayer('spec').map((r) => r.batches)).toEqual([3, 3]);
  });

  it('works in a custom training loop through model.calculateLosses()', () => {
    const { x, y } = data(64, 5);
    const layer = spectralRegularizer({ targetAlpha: 3, strength: 1 });
    const model = mlp([layer]);
    const optimizer = tf.train.adam(1e-2);
    const spectralTerm = () => tf.tidy(() => {
      model.apply(x, { training: true });
      return tf.addN(model.calculateLosses()).dataSync()[0]!;
    });
    const before = spectralTerm();
    for (let i = 0; i < 30; i++) {
      optimizer.minimize(() => {
        const probabilities = model.apply(x, { training: true }) as tf.Tensor;
        const task = tf.mean(tfl.metrics.categoricalCrossentropy(y, probabilities)) as tf.Scalar;
        return tf.addN([task, ...model.calculateLosses()]) as tf.Scalar;
      });
    }
    expect(spectralTerm()).toBeLessThan(before / 2);
  });

  it('several regularizer layers, each with its own target, each reach their own alpha', async () => {
    const { x, y } = data(128, 6);
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: H, activation: 'tanh', inputShape: [F] }),
        spectralRegularizer({ targetAlpha: 1, name: 'low' }),
        tfl.layers.dense({ units: H, activation: 'tanh' }),
        spectralRegularizer({ targetAlpha: 3, name: 'high' }),
        tfl.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy' });
    const history = await model.fit(x, y, { epochs: 15, batchSize: 64, callbacks: [spectralHistory()], verbose: 0 });
    const low = (history.history.low_alpha as number[]).at(-1)!;
    const high = (history.history.high_alpha as number[]).at(-1)!;
    expect(Math.abs(low - 1)).toBeLessThan(0.3);
    expect(Math.abs(high - 3)).toBeLessThan(0.3);
  });

  it('a conv model with the layer after Flatten trains', async () => {
    const x = tf.randomUniform([32, 8, 8, 1], 0, 1, 'float32', 7);
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 2), 'int32'), 2);
    const layer = spectralRegularizer({ targetAlpha: 2, name: 'spec' });
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: 'tanh' }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.flatten(),
        layer,
        tfl.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy' });
    const monitor = spectralHistory();
    const history = await model.fit(x, y, { epochs: 2, batchSize: 16, callbacks: [monitor], verbose: 0 });
    expect((history.history.loss as number[]).every(Number.isFinite)).toBe(true);
    expect(monitor.records).toHaveLength(2);
  });

  it('a last batch smaller than the range is skipped, not a crash', async () => {
    const { x, y } = data(74, 8); // batches of 32, 32 and 10; range [0, 12] needs 12 samples
    const layer = spectralRegularizer({ targetAlpha: 2, range: [0, 12], name: 'spec' });
    const model = mlp([layer]);
    const monitor = spectralHistory();
    const history = await model.fit(x, y, { epochs: 1, batchSize: 32, callbacks: [monitor], verbose: 0 });
    expect(Number.isFinite((history.history.loss as number[])[0]!)).toBe(true);
    expect(monitor.records[0]).toMatchObject({ batches: 2, skipped: 1 });
  });

  it('a batch of exactly range[1] rows is skipped too: centred, its rank is one short', async () => {
    const { x, y } = data(76, 8); // batches of 32, 32 and 12; range [0, 12]
    const model = mlp([spectralRegularizer({ targetAlpha: 2, range: [0, 12], name: 'spec' })]);
    const monitor = spectralHistory();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await model.fit(x, y, { epochs: 1, batchSize: 32, callbacks: [monitor], verbose: 0 });
    } finally {
      warn.mockRestore();
    }
    expect(monitor.records[0]).toMatchObject({ batches: 2, skipped: 1 });
  });

  it('when every batch is too small: warned once per fit, counted, and alpha is NaN in the history, not missing', async () => {
    const { x, y } = data(40, 8);
    const model = mlp([spectralRegularizer({ targetAlpha: 2, range: [0, 12], name: 'spec' })]);
    const monitor = spectralHistory();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const history = await model.fit(x, y, { epochs: 2, batchSize: 8, callbacks: [monitor], verbose: 0 });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(
        "SpectralRegularizer 'spec': a training batch of 8 rows got no spectral loss: range [0, 12] needs batches of more than 12 rows. " +
          'Batches this small are skipped (counted in spectralHistory records as `skipped`); use a larger batchSize or a shorter range.',
      );
      expect(history.history.spec_alpha).toHaveLength(2);
      expect((history.history.spec_alpha as number[]).every(Number.isNaN)).toBe(true);
      expect(monitor.records.map((r) => [r.batches, r.skipped])).toEqual([[0, 5], [0, 5]]);
      await model.fit(x, y, { epochs: 1, batchSize: 8, callbacks: [monitor], verbose: 0 });
      expect(warn).toHaveBeenCalledTimes(2);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('spectralHistory beside other callbacks', () => {
  // tfjs takes the array as callback objects when the first is a tfjs Callback, else as plain configurations.
  const orders: Array<[string, (monitor: ReturnType<typeof spectralHistory>, plain: object) => unknown[]]> = [
    ['first, then a plain object', (monitor, plain) => [monitor, plain]],
    ['after a plain object', (monitor, plain) => [plain, monitor]],
    ['after a tfjs Callback', (monitor) => [new tfl.CustomCallback({}), monitor]],
    ['alone, not in an array', (monitor) => monitor as never],
  ];
  for (const [name, order] of orders) {
    it(name, async () => {
      const { x, y } = data(64, 8);
      const model = mlp([spectralRegularizer({ targetAlpha: 2, range: [0, 8], name: 'spec' })]);
      const monitor = spectralHistory();
      const seen: number[] = [];
      const callbacks = order(monitor, { onEpochEnd: async (epoch: number) => void seen.push(epoch) });
      const history = await model.fit(x, y, { epochs: 2, batchSize: 32, callbacks: callbacks as never, verbose: 0 });
      expect((history.history.spec_alpha as number[]).every(Number.isFinite)).toBe(true);
      expect(monitor.records.map((r) => [r.epoch, r.layer, r.batches])).toEqual([
        [0, 'spec', 2],
        [1, 'spec', 2],
      ]);
      if (Array.isArray(callbacks) && callbacks.length === 2 && !(callbacks[0] instanceof tfl.CustomCallback)) expect(seen).toEqual([0, 1]);
    });
  }
});

describe('SpectralRegularizer: memory', () => {
  it('no tensor growth across epochs, and dispose frees the warm-start state', async () => {
    const { x, y } = data(64, 9);
    const layer = spectralRegularizer({ targetAlpha: 2, method: 'subspace', range: [0, 4], name: 'spec' });
    const model = mlp([layer]);
    const monitor = spectralHistory();
    await model.fit(x, y, { epochs: 1, batchSize: 32, callbacks: [monitor], verbose: 0 });
    expect(layerState(layer).basis).not.toBeNull();
    await expectNoLeak(async () => {
      await model.fit(x, y, { epochs: 3, batchSize: 32, callbacks: [monitor], verbose: 0 });
    });
    tf.dispose([x, y]);
    const before = tf.memory().numTensors;
    model.dispose();
    expect(layerState(layer).basis).toBeNull();
    expect(tf.memory().numTensors).toBeLessThan(before);
  });
});

describe('SpectralRegularizer: serialization', () => {
  const build = () => mlp([spectralRegularizer({ targetAlpha: 2.5, strength: 0.3, range: [1, 9], mode: 'nassar', method: 'subspace', iterations: 3, name: 'spec' })]);

  it('getConfig holds every option', () => {
    const config = build().getLayer('spec').getConfig();
    expect(config).toMatchObject({ targetAlpha: 2.5, strength: 0.3, range: [1, 9], mode: 'nassar', method: 'subspace', iterations: 3, coldStartIterations: 30, tolerance: 1e-4, oversampling: 10, ritzSolve: 'auto', seed: 0 });
  });

  it('round trips through save/load in memory: same predictions, same config', async () => {
    const model = build();
    const { x } = data(20, 10);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    expect(loaded.getLayer('spec')).toBeInstanceOf(SpectralRegularizer);
    expect(loaded.getLayer('spec').getConfig()).toEqual(model.getLayer('spec').getConfig());
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
  });

  it('round trips through a directory with the fileSystem handler of spectral-reg/node', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'spectral-reg-'));
    try {
      const model = build();
      const { x, y } = data(32, 11);
      await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
      await model.save(fileSystem(join(directory, 'nested', 'model')));
      const loaded = await tfl.loadLayersModel(fileSystem(join(directory, 'nested', 'model')));
      expect(loaded.getLayer('spec').getConfig()).toEqual(model.getLayer('spec').getConfig());
      expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
      // The loaded model trains, with its regulariser active.
      loaded.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy' });
      const monitor = spectralHistory();
      await loaded.fit(x, y, { epochs: 1, batchSize: 16, callbacks: [monitor], verbose: 0 });
      expect(monitor.records).toHaveLength(1);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('fileSystem load of a missing directory fails clearly', async () => {
    await expect(tfl.loadLayersModel(fileSystem('/nonexistent/spectral-reg'))).rejects.toThrow(
      /^fileSystem: cannot read a model from \/nonexistent\/spectral-reg\/model.json: /,
    );
  });
});
