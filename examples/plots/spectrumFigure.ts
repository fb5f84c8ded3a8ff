/**
 * The last epoch's spectrum of every run on log-log axes with its power-law
 * fit (paper Fig. 1e), one panel per strength, one colour per target.
 */
import type { TopLevelSpec } from 'vega-lite';
import { fitPowerLaw } from '../../src/index';
import type { ExperimentResult } from '../experiment/runExperiment';
import { GREEK, targetLabel } from '../experiment/runLabels';
import { seriesLabel, strengthOrder, targetColors } from './colors';

export function spectrumFigure(runs: ExperimentResult[]): TopLevelSpec {
  const configs = runs.map((r) => r.config);
  const rows = runs.flatMap((r, i) => {
    const spectrum = r.epochs.at(-1)?.spectrum ?? [];
    if (spectrum.length < 2) return [];
    const [start, end] = r.config.range;
    const fit = fitPowerLaw(spectrum, { range: [start, Math.min(end, spectrum.length)] });
    const common = { run: i, strength: seriesLabel(r.config, configs), color: targetLabel(r.config, GREEK) };
    return spectrum.map((value, k) => ({ ...common, rank: k + 1, value, fitted: Math.exp(fit.intercept) * (k + 1) ** -fit.alpha }));
  });
  const ranks = [...new Set(configs.map((c) => `${c.range[0] + 1}-${c.range[1]}`))].join(' or ');
  const color = { field: 'color', type: 'nominal', title: `target ${GREEK.alpha}`, scale: targetColors(configs) } as const;
  const x = { field: 'rank', type: 'quantitative', title: 'rank', scale: { type: 'log' } } as const;
  // The axis spans the measured values; a fit that strays beyond them is clipped rather than stretching the axis.
  const values = rows.map((d) => d.value).filter((v) => v > 0);
  const domain = values.length > 0 ? [Math.min(...values) / 1.5, Math.max(...values) * 1.5] : undefined;
  return {
    title: {
      text: 'Spectrum of the hidden layer after training, with power-law fits',
      subtitle: `points: each run's last-epoch spectrum (eigenvalue / trace, mean over training batches); dashed: its fit over ranks ${ranks}`,
      anchor: 'start',
    },
    data: { values: rows },
    facet: { column: { field: 'strength', type: 'nominal', title: null, sort: strengthOrder(configs) } },
    spec: {
      width: 220,
      height: 200,
      layer: [
        {
          mark: { type: 'point', filled: true, size: 20, opacity: 0.6 },
          encoding: { x, y: { field: 'value', type: 'quantitative', title: 'eigenvalue / trace', scale: { type: 'log', domain, nice: false } }, color },
        },
        { mark: { type: 'line', strokeDash: [4, 3], strokeWidth: 1, clip: true }, encoding: { x, y: { field: 'fitted', type: 'quantitative' }, color, detail: { field: 'run' } } },
      ],
    },
  } as TopLevelSpec;
}
