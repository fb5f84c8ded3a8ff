/** Shared command-line handling of `npm run experiment` and `npm run sweep`. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import cliProgress from 'cli-progress';
import { checkConfig } from './checkConfig';
import { MODEL_NAMES, PAPER_DEFAULTS, type ModelName } from './models';
import { completeConfig, type ExperimentConfig, type ExperimentResult } from './runExperiment';
import { writeFileAtomic } from './writeFileAtomic';

export const RUN_OPTIONS = {
  model: { type: 'string', default: 'shallow-mlp' },
  dataset: { type: 'string', default: 'mnist' },
  alpha: { type: 'string', default: '3' },
  beta: { type: 'string', default: '1' },
  mode: { type: 'string', default: 'slope' },
  range: { type: 'string', default: '0,10' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  'learning-rate': { type: 'string', default: '1e-4' },
  'train-limit': { type: 'string' },
  'test-limit': { type: 'string' },
  'attack-limit': { type: 'string', default: '1000' },
  'fgsm-epsilons': { type: 'string', default: '0,0.01,0.02,0.05,0.1,0.2' },
  'pgd-epsilons': { type: 'string', default: '0,0.01,0.02,0.05,0.1,0.2' },
  'pgd-steps': { type: 'string', default: '40' },
  'pgd-step-size': { type: 'string', default: '0.01' },
  seed: { type: 'string', default: '0' },
  out: { type: 'string', default: 'results' },
  quiet: { type: 'boolean', default: false },
} as const satisfies ParseArgsConfig['options'];

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${JSON.stringify(value)}`);
  return n;
}

function numbers(name: string, value: string): number[] {
  return value.split(',').map((v) => number(name, v.trim()) as number);
}

export function parseRange(value: string): [number, number] {
  const parts = value.split(',').map(Number);
  if (parts.length !== 2 || !parts.every(Number.isInteger)) throw new Error(`--range must be start,end (e.g. 0,10), got ${JSON.stringify(value)}`);
  return parts as [number, number];
}

/** The run configuration from parsed flags; alpha and beta given explicitly for sweeps. */
export function configFromFlags(values: Record<string, string | boolean | undefined>, targetAlpha: number, strength: number): ExperimentConfig {
  const model = values.model as ModelName;
  if (!MODEL_NAMES.includes(model)) throw new Error(`--model must be one of ${MODEL_NAMES.join(', ')}, got ${JSON.stringify(model)}`);
  const mode = values.mode as ExperimentConfig['mode'];
  if (!['slope', 'fixed-slope', 'nassar'].includes(mode)) throw new Error(`--mode must be slope, fixed-slope or nassar, got ${JSON.stringify(mode)}`);
  const config = completeConfig({
    model,
    dataset: values.dataset as string,
    targetAlpha,
    strength,
    mode,
    range: parseRange(values.range as string),
    epochs: number('epochs', values.epochs as string | undefined) ?? PAPER_DEFAULTS[model].epochs,
    batchSize: number('batch-size', values['batch-size'] as string | undefined) ?? PAPER_DEFAULTS[model].batchSize,
    learningRate: number('learning-rate', values['learning-rate'] as string) as number,
    trainLimit: number('train-limit', values['train-limit'] as string | undefined) ?? null,
    testLimit: number('test-limit', values['test-limit'] as string | undefined) ?? null,
    attackLimit: number('attack-limit', values['attack-limit'] as string) as number,
    fgsmEpsilons: numbers('fgsm-epsilons', values['fgsm-epsilons'] as string),
    pgdEpsilons: numbers('pgd-epsilons', values['pgd-epsilons'] as string),
    pgdSteps: number('pgd-steps', values['pgd-steps'] as string) as number,
    pgdStepSize: number('pgd-step-size', values['pgd-step-size'] as string) as number,
    seed: number('seed', values.seed as string) as number,
  });
  checkConfig(config);
  return config;
}

export function parseFlags(argv: string[], extra: ParseArgsConfig['options'] = {}) {
  return parseArgs({ args: argv, options: { ...RUN_OPTIONS, ...extra }, allowPositionals: false, strict: true }).values as Record<string, string | boolean | undefined>;
}

/** Writes a result atomically: an interrupted run leaves no partial file behind. */
export function writeResult(directory: string, fileName: string, result: ExperimentResult): string {
  mkdirSync(directory, { recursive: true });
  const path = join(directory, fileName);
  writeFileAtomic(path, `${JSON.stringify(result, null, 1)}\n`);
  return path;
}

/** A progress bar with ETA on a terminal; plain lines when not a TTY; nothing with --quiet or in CI. */
export function progress(total: number, label: string, quiet: boolean) {
  const interactive = process.stderr.isTTY === true && !process.env.CI && !quiet;
  if (!interactive) {
    return {
      update: (done: number, text: string) => {
        if (!quiet && !process.env.CI) console.error(`${label} ${done}/${total} ${text}`);
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} | ETA {eta_formatted} | {text}`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { text: '' });
  return {
    update: (done: number, text: string) => bar.update(done, { text }),
    stop: () => bar.stop(),
  };
}
