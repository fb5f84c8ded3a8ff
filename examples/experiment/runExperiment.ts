/**
 * One training run of the paper's protocol, as used by `npm run experiment`,
 * `npm run sweep` and the demo: train with the spectral regulariser, record
 * alpha, loss and test accuracy per epoch, then measure robustness to
 * FGSM and PGD over a range of epsilons. Uses only the public API.
 */
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';

import { measureAlpha, robustAccuracy, spectralHistory, type SpectralLossMode } from '../../src/index';
import { loadDataset, type Dataset } from '../data/datasets';
import { checkConfig, checkCounts } from './checkConfig';
import { buildModel, PAPER_DEFAULTS, type ModelName } from './models';

export interface ExperimentConfig {
  model: ModelName;
  dataset: string;
  /** alpha_target. */
  targetAlpha: number;
  /** beta; 0 is the unregularised baseline (alpha is still measured). */
  strength: number;
  mode: SpectralLossMode;
  range: [number, number];
  epochs: number;
  batchSize: number;
  learningRate: number;
  trainLimit: number | null;
  testLimit: number | null;
  /** Test images attacked for the robustness curves. */
  attackLimit: number;
  fgsmEpsilons: number[];
  pgdEpsilons: number[];
  /** PGD iterations (the paper's 40). */
  pgdSteps: number;
  /** PGD step size mu (the paper's 0.01); steps x stepSize must reach the largest epsilon. */
  pgdStepSize: number;
  seed: number;
}

export interface EpochRecord {
  epoch: number;
  alpha: number;
  loss: number;
  /** Accuracy on the test split after this epoch, called "test accuracy" in every output; the key is kept for existing run files. */
  valAccuracy: number;
  spectrum: number[];
}

export interface ExperimentResult {
  schema: 'spectral-reg/experiment@1';
  config: ExperimentConfig;
  backend: string;
  /** The git commit of the code that ran (with "-dirty" for uncommitted changes), or "unknown" outside a checkout. */
  codeVersion?: string;
  /**
   * Images actually used: `test` for the per-epoch accuracy, `attacked` (the
   * first of the test images) for finalAlpha and the robustness curves. Absent
   * in files written before it existed.
   */
  counts?: { train: number; test: number; attacked: number };
  epochs: EpochRecord[];
  /** alpha of the regularised layer measured on the attacked test images after training. */
  finalAlpha: { alpha: number; r2: number };
  robustness: { fgsm: Array<{ epsilon: number; accuracy: number }>; pgd: Array<{ epsilon: number; accuracy: number }> };
  seconds: number;
}

export const EXPERIMENT_DEFAULTS = {
  mode: 'slope' as SpectralLossMode,
  range: [0, 10] as [number, number],
  learningRate: 1e-4,
  attackLimit: 1000,
  fgsmEpsilons: [0, 0.01, 0.02, 0.05, 0.1, 0.2],
  pgdEpsilons: [0, 0.01, 0.02, 0.05, 0.1, 0.2],
  pgdSteps: 40,
  pgdStepSize: 0.01,
  seed: 0,
};

export function completeConfig(partial: Partial<ExperimentConfig> & Pick<ExperimentConfig, 'model' | 'dataset' | 'targetAlpha' | 'strength'>): ExperimentConfig {
  const paper = PAPER_DEFAULTS[partial.model];
  return {
    mode: EXPERIMENT_DEFAULTS.mode,
    range: EXPERIMENT_DEFAULTS.range,
    epochs: paper.epochs,
    batchSize: paper.batchSize,
    learningRate: EXPERIMENT_DEFAULTS.learningRate,
    trainLimit: null,
    testLimit: null,
    attackLimit: EXPERIMENT_DEFAULTS.attackLimit,
    fgsmEpsilons: EXPERIMENT_DEFAULTS.fgsmEpsilons,
    pgdEpsilons: EXPERIMENT_DEFAULTS.pgdEpsilons,
    pgdSteps: EXPERIMENT_DEFAULTS.pgdSteps,
    pgdStepSize: EXPERIMENT_DEFAULTS.pgdStepSize,
    seed: EXPERIMENT_DEFAULTS.seed,
    ...partial,
  };
}

/** The commit a run's numbers come from: runs resumed across sessions may come from different code. */
export function codeVersion(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return `${git('rev-parse', '--short=12', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? '-dirty' : ''}`;
  } catch {
    return 'unknown';
  }
}

/** A seeded permutation (mulberry32 + Fisher-Yates), so runs repeat exactly. */
function permutation(n: number, seed: number): Int32Array {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [p[i], p[j]] = [p[j] as number, p[i] as number];
  }
  return p;
}

export interface RunHooks {
  /** Called after each epoch. */
  onEpoch?: (record: EpochRecord, config: ExperimentConfig) => void;
  /** Called as robustness is measured, with the fraction done. */
  onAttackProgress?: (attack: 'fgsm' | 'pgd', fraction: number) => void;
  /** Reuse a loaded dataset (sweeps load it once). */
  dataset?: Dataset;
}

/** The images a run uses: the first trainLimit and testLimit of the splits, and the first attackLimit test images to attack. */
export function countImages(config: ExperimentConfig, data: Dataset): { train: number; test: number; attacked: number } {
  const test = Math.min(data.test.count, config.testLimit ?? Infinity);
  return { train: Math.min(data.train.count, config.trainLimit ?? Infinity), test, attacked: Math.min(config.attackLimit, test) };
}

export async function runExperiment(config: ExperimentConfig, hooks: RunHooks = {}): Promise<ExperimentResult> {
  const started = performance.now();
  // Read at the start: the checkout may move on during an hour-long run.
  const version = codeVersion();
  checkConfig(config);
  const data = hooks.dataset ?? (await loadDataset(config.dataset, config.trainLimit ?? Infinity, config.testLimit ?? Infinity));
  const shape = data.imageShape;
  const { train: trainCount, test: testCount, attacked: attackCount } = countImages(config, data);
  checkCounts(config, trainCount, testCount);
  const xTrain = tf.tensor4d(data.train.images.subarray(0, trainCount * shape[0] * shape[1] * shape[2]), [trainCount, ...shape]);
  const yTrain = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(data.train.labels.subarray(0, trainCount)), 'int32'), data.classes));
  const xTest = tf.tensor4d(data.test.images.subarray(0, testCount * shape[0] * shape[1] * shape[2]), [testCount, ...shape]);
  const yTestLabels = tf.tensor1d(Array.from(data.test.labels.subarray(0, testCount)), 'int32');
  const yTest = tf.oneHot(yTestLabels, data.classes);

  const model = buildModel(config.model, shape, data.classes, config, config.seed);
  // Kept to dispose: model.dispose() leaves the optimizer's moment variables behind.
  const optimizer = tf.train.adam(config.learningRate);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const monitor = spectralHistory();
  const epochs: EpochRecord[] = [];
  try {
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      // Our own seeded shuffle: tfjs's shuffle uses Math.random and cannot be seeded.
      const order = tf.tensor1d(permutation(trainCount, config.seed * 1_000_003 + epoch), 'int32');
      const xs = tf.gather(xTrain, order);
      const ys = tf.gather(yTrain, order);
      const history = await model.fit(xs, ys, { epochs: epoch + 1, initialEpoch: epoch, batchSize: config.batchSize, shuffle: false, verbose: 0, callbacks: [monitor] });
      tf.dispose([order, xs, ys]);
      const evaluation = model.evaluate(xTest, yTest, { batchSize: 1000 }) as tf.Scalar[];
      const valAccuracy = (await evaluation[1]!.data())[0] as number;
      tf.dispose(evaluation);
      const record = monitor.records.at(-1);
      const entry: EpochRecord = {
        epoch,
        alpha: record?.alpha ?? Number.NaN,
        loss: (history.history.loss as number[])[0] as number,
        valAccuracy,
        spectrum: record ? Array.from(record.spectrum) : [],
      };
      epochs.push(entry);
      hooks.onEpoch?.(entry, config);
    }
    const xAttack = tf.slice(xTest, 0, attackCount);
    const yAttack = tf.slice(yTestLabels, 0, attackCount);
    const [hidden] = await measureAlpha(model, xAttack, { layers: ['hidden'], range: config.range });
    const robustness = {
      fgsm: await robustAccuracy(model, xAttack, yAttack, { attack: 'fgsm', epsilons: config.fgsmEpsilons, onProgress: (p) => hooks.onAttackProgress?.('fgsm', p.fraction) }),
      pgd: await robustAccuracy(model, xAttack, yAttack, {
        attack: 'pgd',
        epsilons: config.pgdEpsilons,
        steps: config.pgdSteps,
        stepSize: config.pgdStepSize,
        onProgress: (p) => hooks.onAttackProgress?.('pgd', p.fraction),
      }),
    };
    tf.dispose([xAttack, yAttack]);
    return {
      schema: 'spectral-reg/experiment@1',
      config,
      backend: tf.getBackend(),
      codeVersion: version,
      counts: { train: trainCount, test: testCount, attacked: attackCount },
      epochs,
      finalAlpha: { alpha: hidden!.alpha, r2: hidden!.r2 },
      robustness,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    model.dispose();
    optimizer.dispose();
    tf.dispose([xTrain, yTrain, xTest, yTest, yTestLabels]);
  }
}

/**
 * Runs one of the paper's setups from the command line: `[targetAlpha] [beta] [epochs]`
 * (defaults 3, 1 and the paper's epochs), printing alpha per epoch and the robustness at
 * the setup's headline epsilon. Used by the scripts in examples/paper/.
 */
export async function runPaperSetup(model: ModelName, dataset: string, headlineEpsilon: number): Promise<void> {
  const [targetAlpha = 3, strength = 1, epochs] = process.argv.slice(2).map(Number);
  const { setupNodeBackend } = await import('../../src/node/index');
  await setupNodeBackend();
  const config = completeConfig({
    model,
    dataset,
    targetAlpha,
    strength,
    ...(epochs ? { epochs } : {}),
    fgsmEpsilons: [0, headlineEpsilon],
    pgdEpsilons: [0, headlineEpsilon],
  });
  const result = await runExperiment(config, { onEpoch: (r) => console.log(`epoch ${r.epoch + 1}: alpha ${r.alpha.toFixed(2)}, test accuracy ${r.valAccuracy.toFixed(3)}`) });
  console.log(JSON.stringify({ measuredAlpha: result.finalAlpha.alpha, robustness: result.robustness }));
}
