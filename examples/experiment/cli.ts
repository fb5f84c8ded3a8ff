/** Shared command-line handling of `npm run experiment` and `npm run sweep`. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { checkConfig } from './checkConfig';
import { type CliOptions, parseCli } from './cliHelp';
import { MODEL_NAMES, PAPER_DEFAULTS, type ModelName } from './models';
import { completeConfig, type ExperimentConfig, type ExperimentResult } from './runExperiment';
import { writeFileAtomic } from './writeFileAtomic';

export const RUN_OPTIONS = {
  model: { type: 'string', default: 'shallow-mlp', help: `the paper's network: ${MODEL_NAMES.join(', ')}` },
  dataset: { type: 'string', default: 'mnist', help: 'mnist, cifar10[:DIR] or idx:DIR (docs/experiments.md)' },
  alpha: { type: 'string', default: '3', help: 'target alpha of the regulariser' },
  beta: { type: 'string', default: '1', help: 'strength beta; 0 is the unregularised baseline' },
  mode: { type: 'string', default: 'slope', help: 'loss: slope (paper Eq. 6), fixed-slope (the authors\' code) or nassar' },
  range: { type: 'string', default: '0,10', help: 'fitted ranks start,end (0-based, end excluded)' },
  epochs: { type: 'string', help: "training epochs (default: the paper's, 50 for MLPs, 200 for the CNN)" },
  'batch-size': { type: 'string', help: "batch size (default: the paper's code, 1500 for MLPs, 6000 for the CNN)" },
  'learning-rate': { type: 'string', default: '1e-4', help: 'Adam learning rate' },
  'train-limit': { type: 'string', help: 'use only the first N training images (default: all)' },
  'test-limit': { type: 'string', help: 'use only the first N test images (default: all)' },
  'attack-limit': { type: 'string', default: '1000', help: 'test images attacked, and measured after training' },
  'fgsm-epsilons': { type: 'string', default: '0,0.01,0.02,0.05,0.1,0.2', help: 'FGSM epsilons, comma-separated' },
  'pgd-epsilons': { type: 'string', default: '0,0.01,0.02,0.05,0.1,0.2', help: 'PGD epsilons, comma-separated' },
  'pgd-steps': { type: 'string', default: '40', help: 'PGD iterations' },
  'pgd-step-size': { type: 'string', default: '0.01', help: 'PGD step size' },
  seed: { type: 'string', default: '0', help: 'seed of weights, shuffling and spectrum starts' },
  out: { type: 'string', default: 'results', help: 'directory the run files are written to' },
  threads: { type: 'string', help: 'wasm threads (default: all cores); 1 when several runs share a machine' },
  quiet: { type: 'boolean', default: false, help: 'no progress output' },
} as const satisfies CliOptions;

/** A finite number, or NaN: unlike Number(), an empty or blank string is not 0. */
export function strictNumber(value: string): number {
  return value.trim() === '' ? Number.NaN : Number(value);
}

/** The number in flag --name, or undefined when it was not given; anything else is an error naming the flag. */
export function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = strictNumber(value);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${JSON.stringify(value)}`);
  return n;
}

/** Comma-separated numbers; an empty item ("0.05," or "0,,0.1") is an error, not a 0. */
export function numbers(name: string, value: string): number[] {
  const values = value.split(',').map(strictNumber);
  if (!values.every(Number.isFinite)) throw new Error(`--${name} must be numbers separated by commas, got ${JSON.stringify(value)}`);
  return values;
}

export function parseRange(value: string): [number, number] {
  const parts = value.split(',').map(strictNumber);
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

/** setupNodeBackend's options from the flags: --threads (checked there) and --quiet. */
export function backendOptions(values: Record<string, string | boolean | undefined>): { threads?: number; quiet: boolean } {
  const threads = number('threads', values.threads as string | undefined);
  return { ...(threads === undefined ? {} : { threads }), quiet: values.quiet === true };
}

export function parseFlags(usage: string, argv: string[], extra: CliOptions = {}) {
  return parseCli(usage, { ...RUN_OPTIONS, ...extra }, argv).values;
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
