/**
 * A markdown table of a directory of run files (docs/experiments.md), one
 * row per model, strength and target, averaged over seeds:
 *
 *   npm run summarize -- DIR [--epsilons 0.05,0.1]
 *
 * Columns: runs (seeds), measured alpha on test images (mean and range over
 * seeds), last-epoch validation accuracy, clean accuracy on the attacked
 * images, FGSM and PGD accuracy at each epsilon, and seconds per run.
 */
import { parseArgs } from 'node:util';
import type { ExperimentResult } from './experiment/runExperiment';
import { loadRuns } from './figures';

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** "0.912" for one seed, "0.912 (0.904-0.920)" for several: the mean and the range. */
function cell(values: number[], digits: number): string {
  const m = mean(values).toFixed(digits);
  if (values.length < 2) return m;
  return `${m} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;
}

const accuracyAt = (points: Array<{ epsilon: number; accuracy: number }>, epsilon: number) =>
  points.find((p) => Math.abs(p.epsilon - epsilon) < 1e-9)?.accuracy ?? Number.NaN;

export function summarize(runs: ExperimentResult[], epsilons: number[]): string {
  const groups = new Map<string, ExperimentResult[]>();
  for (const run of runs) {
    const { model, strength, targetAlpha } = run.config;
    const key = JSON.stringify([model, strength, strength === 0 ? null : targetAlpha]);
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const rows = [...groups.entries()].sort(([a], [b]) => {
    const [ma, sa, ta] = JSON.parse(a) as [string, number, number | null];
    const [mb, sb, tb] = JSON.parse(b) as [string, number, number | null];
    return ma.localeCompare(mb) || sa - sb || (ta ?? -1) - (tb ?? -1);
  });
  const attackHeaders = epsilons.flatMap((e) => [`FGSM ${e}`, `PGD ${e}`]);
  const header = ['model', 'beta', 'target', 'runs', 'measured alpha', 'val accuracy', 'clean', ...attackHeaders, 'seconds'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const [key, group] of rows) {
    const [model, strength, target] = JSON.parse(key) as [string, number, number | null];
    const attacks = epsilons.flatMap((e) => [
      cell(group.map((r) => accuracyAt(r.robustness.fgsm, e)), 3),
      cell(group.map((r) => accuracyAt(r.robustness.pgd, e)), 3),
    ]);
    lines.push(
      `| ${[
        model,
        String(strength),
        target === null ? '-' : String(target),
        String(group.length),
        cell(group.map((r) => r.finalAlpha.alpha), 2),
        cell(group.map((r) => r.epochs[r.epochs.length - 1]?.valAccuracy ?? Number.NaN), 3),
        cell(group.map((r) => accuracyAt(r.robustness.fgsm, 0)), 3),
        ...attacks,
        mean(group.map((r) => r.seconds)).toFixed(0),
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { epsilons: { type: 'string', default: '0.05,0.1' } } });
  const directory = positionals[0];
  if (!directory) throw new Error('usage: npm run summarize -- DIR [--epsilons 0.05,0.1]');
  const runs = loadRuns(directory);
  if (runs.length === 0) throw new Error(`summarize: no run files (spectral-reg/experiment@1) in ${directory}`);
  console.log(summarize(runs, values.epsilons.split(',').map(Number)));
}

if (process.argv[1] && /summarize\.ts$/.test(process.argv[1])) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
