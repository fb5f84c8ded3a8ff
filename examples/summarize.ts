/**
 * A markdown table of a directory of run files (docs/experiments.md), one
 * row per configuration, averaged over seeds (runs that differ in anything
 * but the seed are never averaged; settings that differ between rows get a
 * column of their own); unreadable files are skipped with a warning:
 *
 *   npm run summarize -- DIR [--epsilons 0.05,0.1]
 *
 * Columns: runs (seeds), measured alpha on the attacked images (mean and
 * range over seeds), test accuracy (the last epoch's, on the test split),
 * clean, FGSM and PGD accuracy on the attacked images at each epsilon, and
 * seconds per run; a note under the table says which images and units.
 */
import type { ExperimentResult } from './experiment/runExperiment';
import { parseCli } from './experiment/cliHelp';
import { loadRuns, runIdentity } from './experiment/runFiles';
import { attackedName, epsilonUnits, imageCounts, imagesPhrase, pgdSettings, testAccuracyName } from './experiment/runLabels';
import { markdownTable } from './experiment/markdownTable';

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** "0.912" for one seed, "0.912 (0.904-0.920)" for several: the mean and the range. */
function cell(values: number[], digits: number): string {
  const m = mean(values).toFixed(digits);
  if (values.length < 2) return m;
  return `${m} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;
}

/**
 * An accuracy cell; with standard errors, " ± SE" after it: the binomial
 * standard error sqrt(p (1 - p) / n) of an accuracy over n images, pooled
 * over the group's runs (image sampling only, not seed to seed).
 */
function accuracyCell(values: number[], images: Array<number | null>, standardErrors: boolean): string {
  const text = cell(values, 3);
  const total = images.reduce<number | null>((sum, n) => (sum === null || n === null ? null : sum + n), 0);
  if (!standardErrors || total === null || total === 0) return text;
  const p = mean(values);
  return `${text} ± ${Math.sqrt((p * (1 - p)) / total).toFixed(3)}`;
}

const accuracyAt = (points: Array<{ epsilon: number; accuracy: number }>, epsilon: number) =>
  points.find((p) => Math.abs(p.epsilon - epsilon) < 1e-9)?.accuracy ?? Number.NaN;

/** Settings shown as their own columns when they differ between rows (model, beta and target always are). */
const ALWAYS_SHOWN = new Set(['model', 'strength', 'targetAlpha']);

const show = (value: unknown) => (value === undefined ? '-' : Array.isArray(value) ? value.join(',') : String(value));

export function summarize(runs: ExperimentResult[], epsilons: number[], options: { standardErrors?: boolean } = {}): string {
  const standardErrors = options.standardErrors === true;
  // Runs are averaged only when everything but the seed is the same.
  const groups = new Map<string, ExperimentResult[]>();
  for (const run of runs) {
    const key = runIdentity(run.config, { ignoreSeed: true });
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const settings = [...groups.keys()].map((key) => JSON.parse(key) as Record<string, unknown>);
  const names = [...new Set(settings.flatMap(Object.keys))].filter(
    // A baseline has no target or mode: only defined values count as differing.
    (name) => !ALWAYS_SHOWN.has(name) && new Set(settings.filter((s) => name in s).map((s) => JSON.stringify(s[name]))).size > 1,
  );
  const rows = [...groups.values()]
    .map((group, i) => ({ group, setting: settings[i] as Record<string, unknown> }))
    .sort((a, b) => {
      const columns = ['model', ...names];
      for (const name of columns) {
        const order = show(a.setting[name]).localeCompare(show(b.setting[name]), 'en', { numeric: true });
        if (order !== 0) return order;
      }
      const [sa, sb] = [a.setting.strength as number, b.setting.strength as number];
      return sa - sb || ((a.setting.targetAlpha as number | undefined) ?? -1) - ((b.setting.targetAlpha as number | undefined) ?? -1);
    });
  const attackHeaders = epsilons.flatMap((e) => [`FGSM ${e}`, `PGD ${e}`]);
  const clean = `clean (${imagesPhrase(runs.map((r) => imageCounts(r).attacked), 'attacked')})`;
  const header = ['model', ...names, 'beta', 'target', 'runs', 'measured alpha', testAccuracyName(runs), clean, ...attackHeaders, 'seconds'];
  const cells: string[][] = [];
  for (const { group, setting } of rows) {
    const attacked = group.map((r) => imageCounts(r).attacked);
    const attacks = epsilons.flatMap((e) => [
      accuracyCell(group.map((r) => accuracyAt(r.robustness.fgsm, e)), attacked, standardErrors),
      accuracyCell(group.map((r) => accuracyAt(r.robustness.pgd, e)), attacked, standardErrors),
    ]);
    cells.push([
      show(setting.model),
      ...names.map((name) => show(setting[name])),
      show(setting.strength),
      show(setting.targetAlpha),
      String(group.length),
      cell(group.map((r) => r.finalAlpha.alpha), 2),
      accuracyCell(group.map((r) => r.epochs[r.epochs.length - 1]?.valAccuracy ?? Number.NaN), group.map((r) => imageCounts(r).test), standardErrors),
      accuracyCell(group.map((r) => accuracyAt(r.robustness.fgsm, 0)), attacked, standardErrors),
      ...attacks,
      mean(group.map((r) => r.seconds)).toFixed(0),
    ]);
  }
  // One short line each, so the note reads in a terminal; markdown joins them into a paragraph.
  const note = [
    'measured alpha: of the hidden layer, on the attacked images after training.',
    "test accuracy: the last epoch's, on the test images.",
    `clean, FGSM, PGD: accuracy on the ${attackedName(runs)} (the first test images); ${epsilonUnits()}; ${pgdSettings(runs)}.`,
    ...(rows.some(({ group }) => group.length > 1) ? ['Several runs: mean over seeds (min-max).'] : []),
    ...(standardErrors ? ['± : binomial standard error of an accuracy over its images, sqrt(p (1 - p) / n), pooled over seeds.'] : []),
  ].join('\n');
  return `${markdownTable(header, cells)}\n\n${note}`;
}

async function main(): Promise<void> {
  const usage = 'npm run summarize -- DIR [options]';
  const { values, positionals } = parseCli(
    usage,
    {
      epsilons: { type: 'string', default: '0.05,0.1', help: 'epsilons of the FGSM and PGD columns, comma-separated' },
      'standard-errors': { type: 'boolean', default: false, help: 'add the binomial standard error of each accuracy over its images' },
    },
    process.argv.slice(2),
    true,
  );
  const directory = positionals[0];
  if (!directory) throw new Error(`usage: ${usage} (see --help)`);
  const runs = loadRuns(directory);
  if (runs.length === 0) throw new Error(`summarize: no run files (spectral-reg/experiment@1) in ${directory}`);
  console.log(summarize(runs, (values.epsilons as string).split(',').map(Number), { standardErrors: values['standard-errors'] === true }));
}

if (process.argv[1] && /summarize\.ts$/.test(process.argv[1])) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
