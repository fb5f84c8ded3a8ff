/**
 * Run files on disk: what identifies a run, its file name, and reading run
 * files back without trusting them.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { completeConfig, type ExperimentConfig, type ExperimentResult } from './runExperiment';

export const RUN_SCHEMA = 'spectral-reg/experiment@1';

/** JSON with keys sorted at every level, so equal configurations give equal strings. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Everything that determines a run's numbers: the whole configuration with
 * defaults filled in (so files written before a setting existed still match
 * the default it had). A baseline (strength 0) trains the same whatever its
 * target and mode, so those do not count for it.
 */
export function runIdentity(config: ExperimentConfig, options: { ignoreSeed?: boolean } = {}): string {
  const full: Partial<ExperimentConfig> = { ...completeConfig(config) };
  if (full.strength === 0) {
    delete full.targetAlpha;
    delete full.mode;
  }
  if (options.ignoreSeed) delete full.seed;
  return canonical(full);
}

/** A readable name plus a hash of the identity: runs that differ in any setting never share a file. */
export function runFileName(c: ExperimentConfig): string {
  const num = (v: number) => String(v).replace('-', 'm');
  const dataset = c.dataset.replace(/[^a-z0-9]+/gi, '-');
  const what = c.strength === 0 ? 'baseline' : `${c.mode}_a${num(c.targetAlpha)}_b${num(c.strength)}`;
  const hash = createHash('sha256').update(runIdentity(c)).digest('hex').slice(0, 10);
  return `${c.model}_${dataset}_${what}_e${c.epochs}_s${c.seed}_${hash}.json`;
}

const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const isCurve = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((p) => isNumber(p?.epsilon) && isNumber(p?.accuracy));

/** Parses and checks one run file; throws an Error saying what is wrong with it. */
export function readRunFile(path: string): ExperimentResult {
  const run = JSON.parse(readFileSync(path, 'utf8')) as ExperimentResult;
  if (run?.schema !== RUN_SCHEMA) throw new Error(`schema is ${JSON.stringify(run?.schema)}, not ${RUN_SCHEMA}`);
  const c = run.config;
  if (c === null || typeof c !== 'object' || typeof c.model !== 'string' || !isNumber(c.strength) || !isNumber(c.seed) || !isNumber(c.epochs)) {
    throw new Error('config is missing or incomplete');
  }
  if (!Array.isArray(run.epochs) || run.epochs.length !== c.epochs) throw new Error(`has ${run.epochs?.length} epochs of the ${c.epochs} configured`);
  if (!isCurve(run.robustness?.fgsm) || !isCurve(run.robustness?.pgd)) throw new Error('robustness curves are missing');
  if (typeof run.finalAlpha?.alpha !== 'number') throw new Error('finalAlpha is missing');
  run.config = completeConfig(c);
  return run;
}

/** Every readable run file of a directory; each unreadable one is reported through warn and left out. */
export function loadRuns(directory: string, warn: (message: string) => void = (m) => console.warn(m)): Array<ExperimentResult & { file: string }> {
  const runs: Array<ExperimentResult & { file: string }> = [];
  for (const file of readdirSync(directory).filter((f) => f.endsWith('.json')).sort()) {
    try {
      runs.push({ ...readRunFile(join(directory, file)), file });
    } catch (error) {
      warn(`skipping ${join(directory, file)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return runs;
}
