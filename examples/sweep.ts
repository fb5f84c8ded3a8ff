/**
 * A grid of runs, resumable and shardable.
 *
 *   npm run sweep -- <experiment options> --alphas 0:4:0.2 --betas 0,0.1,1 --repeats N [--shard i/n]
 *
 * A run is done when --out holds a valid run file whose whole configuration
 * (limits, batch, learning rate, epsilons, attack settings, seed, ...) equals
 * the one asked for; those are skipped, so an interrupted sweep resumes where
 * it stopped, and a sweep with other settings into the same directory runs
 * afresh. Unreadable files are reported and their runs redone. --shard i/n runs every n-th point starting
 * at i (1-based), for Slurm job arrays or GNU parallel (see docs/experiments.md).
 */
import { existsSync } from 'node:fs';
import { setupNodeBackend } from '../src/node/index';
import { loadDataset } from './data/datasets';
import { backendOptions, configFromFlags, numbers, parseFlags, progress, strictNumber, writeResult } from './experiment/cli';
import { runExperiment } from './experiment/runExperiment';
import { loadRuns, runFileName, runIdentity } from './experiment/runFiles';

/** "0:4:0.2" (start:stop:step, inclusive, start <= stop) or "0,0.1,1"; empty items are errors, not 0. */
export function parseList(name: string, value: string): number[] {
  if (value.includes(':')) {
    const parts = value.split(':').map(strictNumber);
    const [start, stop, step] = parts as [number, number, number];
    if (parts.length !== 3 || !parts.every(Number.isFinite) || step <= 0 || stop < start) {
      throw new Error(`--${name} must be start:stop:step with start <= stop and step > 0, got ${JSON.stringify(value)}`);
    }
    const count = Math.floor((stop - start) / step + 1e-9) + 1;
    return Array.from({ length: count }, (_, i) => Number((start + i * step).toFixed(10)));
  }
  return numbers(name, value);
}

/** Seeds per grid point: a whole number >= 1 (2.9 is not 2, and 0 would plan no runs). */
export function parseRepeats(value: string): number {
  const repeats = strictNumber(value);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats must be an integer >= 1, got ${JSON.stringify(value)}`);
  return repeats;
}

export function parseShard(value: string): [number, number] {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const [i, n] = match ? [Number(match[1]), Number(match[2])] : [Number.NaN, Number.NaN];
  if (!(n >= 1 && i >= 1 && i <= n)) throw new Error(`--shard must be i/n with 1 <= i <= n, got ${JSON.stringify(value)}`);
  return [i, n];
}

async function main(): Promise<void> {
  const flags = parseFlags('npm run sweep -- [options] (a grid over --alphas, --betas and --repeats; --alpha and --beta are not used)', process.argv.slice(2), {
    alphas: { type: 'string', default: '0:4:0.2', help: 'target alphas: start:stop:step (inclusive) or a,b,c' },
    betas: { type: 'string', default: '0,0.1,1', help: 'strengths; 0 runs the baseline once per seed' },
    repeats: { type: 'string', default: '1', help: 'seeds per grid point: seed, seed+1, ...' },
    shard: { type: 'string', default: '1/1', help: 'i/n: run every n-th run starting at the i-th' },
  });
  const alphas = parseList('alphas', flags.alphas as string);
  const betas = parseList('betas', flags.betas as string);
  const repeats = parseRepeats(flags.repeats as string);
  const [shard, shards] = parseShard(flags.shard as string);
  const quiet = flags.quiet === true;
  const seed0 = strictNumber(flags.seed as string);
  if (!Number.isInteger(seed0) || seed0 < 0) throw new Error(`--seed must be an integer >= 0, got ${JSON.stringify(flags.seed)}`);
  // The baseline (beta 0) does not depend on the target: run it once per seed.
  const points = betas.flatMap((beta) => (beta === 0 ? [alphas[0] as number] : alphas).map((alpha) => ({ alpha, beta })));
  // Seeds outermost: shards take every n-th run, so each shard gets a share of every seed,
  // not one seed each when n equals --repeats.
  const configs = Array.from({ length: repeats }, (_, r) => points.map(({ alpha, beta }) => configFromFlags({ ...flags, seed: String(seed0 + r) }, alpha, beta)))
    .flat()
    .filter((_, index) => index % shards === shard - 1);
  const out = flags.out as string;
  const finished = new Set(existsSync(out) ? loadRuns(out).map((run) => runIdentity(run.config)) : []);
  const todo = configs.filter((c) => !finished.has(runIdentity(c)));
  await setupNodeBackend(backendOptions(flags));
  console.log(`sweep: ${configs.length} runs in shard ${shard}/${shards}, ${configs.length - todo.length} already done, ${todo.length} to run`);
  if (todo.length === 0) return;
  const first = todo[0]!;
  const dataset = await loadDataset(first.dataset, first.trainLimit ?? Infinity, first.testLimit ?? Infinity);
  const bar = progress(todo.length, 'sweep', quiet);
  for (const [i, config] of todo.entries()) {
    const result = await runExperiment(config, { dataset });
    writeResult(out, runFileName(config), result);
    bar.update(i + 1, `${runFileName(config)} alpha ${result.finalAlpha.alpha.toFixed(2)}`);
  }
  bar.stop();
}

if (process.argv[1] && /sweep\.ts$/.test(process.argv[1])) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
