/**
 * Figures like the paper's from a directory of run files (docs/experiments.md):
 *
 *   npm run figures -- DIR [--epsilon 0.05] [--out DIR/figures]
 *
 * Writes SVG files rendered headlessly by vega, each atomically (temp file, then rename):
 *   fig2abc-accuracy-robustness.svg  validation accuracy, FGSM and PGD accuracy at --epsilon
 *                                    against the measured alpha, one series per strength (Fig. 2a-c)
 *   fig2de-alpha-over-epochs.svg     measured alpha per epoch, one line per run (Fig. 2d-e)
 *   fig2f-robustness-curves.svg      accuracy against epsilon for FGSM and PGD (Fig. 2f, S1)
 *   spectrum-fit.svg                 log-log final-epoch spectrum of each run with its power-law fit
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { fitPowerLaw } from '../src/index';
import type { ExperimentResult } from './experiment/runExperiment';
import { parseCli } from './experiment/cliHelp';
import { loadRuns } from './experiment/runFiles';
import { writeFileAtomic } from './experiment/writeFileAtomic';

async function svg(spec: TopLevelSpec): Promise<string> {
  const withConfig = { ...spec, config: { legend: { labelLimit: 0 }, ...(spec.config ?? {}) } } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(withConfig).spec), { renderer: 'none' });
  return view.toSVG();
}

const strengthLabel = (beta: number) => (beta === 0 ? 'baseline (beta 0)' : `beta ${beta}`);

export async function writeFigures(runs: ExperimentResult[], outDir: string, epsilon: number): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  const save = async (name: string, spec: TopLevelSpec) => {
    const path = join(outDir, name);
    writeFileAtomic(path, await svg(spec));
    written.push(path);
  };
  const accuracyAt = (curve: Array<{ epsilon: number; accuracy: number }>, e: number) => curve.find((p) => Math.abs(p.epsilon - e) < 1e-12)?.accuracy ?? null;

  const summary = runs.flatMap((r) => {
    const base = {
      alpha: r.finalAlpha.alpha,
      strength: strengthLabel(r.config.strength),
      // Seeds of one strength and target form a group; baselines do not depend on the target.
      group: r.config.strength === 0 ? 'baseline' : `${r.config.strength}/${r.config.targetAlpha}`,
    };
    return [
      { ...base, metric: 'validation accuracy', value: r.epochs.at(-1)?.valAccuracy ?? null },
      { ...base, metric: `FGSM accuracy (eps ${epsilon})`, value: accuracyAt(r.robustness.fgsm, epsilon) },
      { ...base, metric: `PGD accuracy (eps ${epsilon})`, value: accuracyAt(r.robustness.pgd, epsilon) },
    ];
  });
  const points = summary.filter((d) => d.value !== null);
  // Each run is a faint point; the line joins the means over seeds of each strength and target.
  await save('fig2abc-accuracy-robustness.svg', {
    data: { values: points },
    facet: { column: { field: 'metric', type: 'nominal', title: null } },
    spec: {
      width: 220,
      height: 180,
      encoding: {
        x: { field: 'alpha', type: 'quantitative', title: 'measured alpha' },
        y: { field: 'value', type: 'quantitative', title: 'accuracy', scale: { zero: false } },
        color: { field: 'strength', type: 'nominal' },
      },
      layer: [
        { mark: { type: 'point', opacity: 0.45, filled: true, size: 25 } },
        {
          transform: [{ aggregate: [{ op: 'mean', field: 'alpha', as: 'alpha' }, { op: 'mean', field: 'value', as: 'value' }], groupby: ['strength', 'group'] }],
          mark: { type: 'line', point: true },
          encoding: { order: { field: 'alpha', type: 'quantitative' } },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec);

  const perEpoch = runs.flatMap((r) =>
    r.epochs.map((e) => ({ epoch: e.epoch + 1, alpha: e.alpha, run: `${strengthLabel(r.config.strength)}, target ${r.config.targetAlpha}, seed ${r.config.seed}`, target: r.config.targetAlpha, strength: strengthLabel(r.config.strength) })),
  );
  await save('fig2de-alpha-over-epochs.svg', {
    data: { values: perEpoch },
    facet: { column: { field: 'strength', type: 'nominal', title: null } },
    spec: {
      width: 260,
      height: 200,
      mark: 'line',
      encoding: {
        x: { field: 'epoch', type: 'quantitative', axis: { format: 'd', tickMinStep: 1 } },
        y: { field: 'alpha', type: 'quantitative', title: 'measured alpha' },
        detail: { field: 'run', type: 'nominal' },
        color: { field: 'target', type: 'quantitative', title: 'target alpha', scale: { scheme: 'viridis' } },
      },
    },
  } as TopLevelSpec);

  const curves = runs.flatMap((r) =>
    (['fgsm', 'pgd'] as const).flatMap((attack) =>
      r.robustness[attack].map((p) => ({ attack: attack.toUpperCase(), epsilon: p.epsilon, accuracy: p.accuracy, run: `${r.config.strength}/${r.config.targetAlpha}/${r.config.seed}`, target: r.config.targetAlpha, strength: strengthLabel(r.config.strength) })),
    ),
  );
  await save('fig2f-robustness-curves.svg', {
    data: { values: curves },
    facet: { column: { field: 'attack', type: 'nominal', title: null }, row: { field: 'strength', type: 'nominal', title: null } },
    spec: {
      width: 220,
      height: 160,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'epsilon', type: 'quantitative' },
        y: { field: 'accuracy', type: 'quantitative' },
        detail: { field: 'run', type: 'nominal' },
        color: { field: 'target', type: 'quantitative', title: 'target alpha', scale: { scheme: 'viridis' } },
      },
    },
  } as TopLevelSpec);

  const spectra = runs.flatMap((r) => {
    const spectrum = r.epochs.at(-1)?.spectrum ?? [];
    if (spectrum.length < 2) return [];
    const [start, end] = r.config.range;
    const fit = fitPowerLaw(spectrum, { range: [start, Math.min(end, spectrum.length)] });
    const run = `${strengthLabel(r.config.strength)}, target ${r.config.targetAlpha} (fit ${fit.alpha.toFixed(2)})`;
    return spectrum.map((value, i) => ({ rank: i + 1, value, fitted: Math.exp(fit.intercept) * (i + 1) ** -fit.alpha, run }));
  });
  await save('spectrum-fit.svg', {
    data: { values: spectra },
    width: 360,
    height: 280,
    encoding: {
      x: { field: 'rank', type: 'quantitative', scale: { type: 'log' } },
      color: { field: 'run', type: 'nominal', title: null },
    },
    layer: [
      { mark: 'point', encoding: { y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: 'eigenvalue / trace' } } },
      { mark: { type: 'line', strokeDash: [4, 3] }, encoding: { y: { field: 'fitted', type: 'quantitative' } } },
    ],
  } as TopLevelSpec);
  return written;
}

async function main(): Promise<void> {
  const usage = 'npm run figures -- DIR [options]';
  const { values, positionals } = parseCli(
    usage,
    {
      epsilon: { type: 'string', default: '0.05', help: 'epsilon of the accuracy-against-alpha panels' },
      out: { type: 'string', help: 'directory for the SVG files (default DIR/figures)' },
    },
    process.argv.slice(2),
    true,
  );
  const directory = positionals[0];
  if (!directory) throw new Error(`usage: ${usage} (see --help)`);
  const runs = loadRuns(directory);
  if (runs.length === 0) throw new Error(`no run files (*.json with schema spectral-reg/experiment@1) in ${directory}`);
  const written = await writeFigures(runs, (values.out as string | undefined) ?? join(directory, 'figures'), Number(values.epsilon));
  console.log(`${runs.length} runs -> ${written.join(', ')}`);
}

if (process.argv[1] && /figures\.ts$/.test(process.argv[1])) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
