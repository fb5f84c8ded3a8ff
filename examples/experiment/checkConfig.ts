/**
 * Every setting of a run checked before any work, so that an impossible
 * configuration fails in a second instead of after an hour of training.
 */
import { MODEL_NAMES } from './models';
import type { ExperimentConfig } from './runExperiment';

const show = (value: unknown) => JSON.stringify(value) ?? String(value);

function integerAtLeast(name: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`runExperiment: ${name} must be an integer >= ${min}, got ${show(value)}`);
  }
}

function finiteAtLeast(name: string, value: unknown, min: number, strict = false): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (strict && value === min)) {
    throw new RangeError(`runExperiment: ${name} must be a finite number ${strict ? '>' : '>='} ${min}, got ${show(value)}`);
  }
}

/** Checks the settings that do not depend on the dataset. Throws RangeError naming the setting. */
export function checkConfig(config: ExperimentConfig): void {
  if (!MODEL_NAMES.includes(config.model)) throw new RangeError(`runExperiment: model must be one of ${MODEL_NAMES.join(', ')}, got ${show(config.model)}`);
  if (!['slope', 'fixed-slope', 'nassar'].includes(config.mode)) throw new RangeError(`runExperiment: mode must be slope, fixed-slope or nassar, got ${show(config.mode)}`);
  if (typeof config.targetAlpha !== 'number' || !Number.isFinite(config.targetAlpha)) throw new RangeError(`runExperiment: targetAlpha must be a finite number, got ${show(config.targetAlpha)}`);
  finiteAtLeast('strength', config.strength, 0);
  const [start, end] = Array.isArray(config.range) ? config.range : [Number.NaN, Number.NaN];
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end - start >= 2)) {
    throw new RangeError(`runExperiment: range must be [start, end) with 0 <= start and at least 2 ranks, got ${show(config.range)}`);
  }
  integerAtLeast('epochs', config.epochs, 1);
  // The regulariser needs more rows than the fitted range's end (the centred rank is batch - 1).
  if (!(Number.isInteger(config.batchSize) && config.batchSize > end)) {
    throw new RangeError(`runExperiment: batchSize must be an integer > range end ${end}, got ${show(config.batchSize)}`);
  }
  finiteAtLeast('learningRate', config.learningRate, 0, true);
  if (config.trainLimit !== null) integerAtLeast('trainLimit', config.trainLimit, config.batchSize);
  // measureAlpha after training fits the spectrum of the attacked test images.
  if (config.testLimit !== null) integerAtLeast('testLimit', config.testLimit, end + 1);
  integerAtLeast('attackLimit', config.attackLimit, end + 1);
  for (const name of ['fgsmEpsilons', 'pgdEpsilons'] as const) {
    const list = config[name];
    if (!Array.isArray(list) || list.length === 0 || !list.every((e) => typeof e === 'number' && Number.isFinite(e) && e >= 0)) {
      throw new RangeError(`runExperiment: ${name} must be a non-empty list of finite numbers >= 0, got ${show(list)}`);
    }
  }
  integerAtLeast('pgdSteps', config.pgdSteps, 1);
  finiteAtLeast('pgdStepSize', config.pgdStepSize, 0, true);
  integerAtLeast('seed', config.seed, 0);
}

/** Checks the settings against the dataset's sizes, after loading and before training. */
export function checkCounts(config: ExperimentConfig, trainCount: number, testCount: number): void {
  if (trainCount < config.batchSize) {
    throw new RangeError(`runExperiment: batchSize ${config.batchSize} is larger than the ${trainCount} training images of ${show(config.dataset)}`);
  }
  const attacked = Math.min(config.attackLimit, testCount);
  if (attacked <= config.range[1]) {
    throw new RangeError(`runExperiment: ${attacked} test images are attacked and measured, but the fitted range ends at ${config.range[1]}: use more test images`);
  }
}
