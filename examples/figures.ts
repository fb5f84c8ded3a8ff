/**
 * Figures like the paper's from a directory of run files (docs/experiments.md):
 *
 *   npm run figures -- DIR [--epsilon 0.05] [--out DIR/figures]
 *
 * Writes SVG files rendered headlessly by vega, each atomically (temp file, then rename):
 *   fig2abc-accuracy-robustness.svg  test accuracy, FGSM and PGD accuracy at --epsilon
 *                                    against the measured alpha, one series per strength (Fig. 2a-c)
 *   fig2de-alpha-over-epochs.svg     measured alpha per epoch, with the target dashed (Fig. 2d-e)
 *   fig2f-robustness-curves.svg      accuracy against epsilon for FGSM and PGD (Fig. 2f, S1)
 *   spectrum-fit.svg                 log-log final-epoch spectrum of each run with its power-law fit
 * Every seed is drawn, and where seeds repeat a setting, their mean and min-max.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ExperimentResult } from './experiment/runExperiment';
import { parseCli } from './experiment/cliHelp';
import { loadRuns } from './experiment/runFiles';
import { writeFileAtomic } from './experiment/writeFileAtomic';
import { accuracyFigure } from './plots/accuracyFigure';
import { alphaFigure } from './plots/alphaFigure';
import { curvesFigure } from './plots/curvesFigure';
import { spectrumFigure } from './plots/spectrumFigure';

/** Legends and numbers formatted the same in every figure: no six-digit labels. */
const CONFIG = {
  legend: { labelLimit: 0, symbolOpacity: 1 },
  // Three significant digits: a panel whose values all coincide otherwise gets a tick like 1.13226.
  axis: { format: '.3~g', labelFontSize: 10, titleFontSize: 11 },
  title: { fontSize: 13, subtitleFontSize: 11, subtitleColor: '#444', subtitlePadding: 4 },
  header: { labelFontSize: 12 },
};

export async function svg(spec: TopLevelSpec): Promise<string> {
  const withConfig = { ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(withConfig).spec), { renderer: 'none' });
  return view.toSVG();
}

export async function writeFigures(runs: ExperimentResult[], outDir: string, epsilon: number): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const figures: Array<[string, TopLevelSpec]> = [
    ['fig2abc-accuracy-robustness.svg', accuracyFigure(runs, epsilon)],
    ['fig2de-alpha-over-epochs.svg', alphaFigure(runs)],
    ['fig2f-robustness-curves.svg', curvesFigure(runs)],
    ['spectrum-fit.svg', spectrumFigure(runs)],
  ];
  const written: string[] = [];
  for (const [name, spec] of figures) {
    const path = join(outDir, name);
    writeFileAtomic(path, await svg(spec));
    written.push(path);
  }
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
