/**
 * Fig. 2a-c: test accuracy, and FGSM and PGD accuracy at one epsilon,
 * against the measured alpha, one colour per strength. Each seed is a small
 * point; each group of seeds its mean (large point, joined per strength)
 * with min-max bars in both directions.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ExperimentResult } from '../experiment/runExperiment';
import { attackedName, epsilonUnits, GREEK, num, pgdSettings, testAccuracyName } from '../experiment/runLabels';
import { seriesLabel, strengthColors } from './colors';
import { paddedDomain, seedGroups, spread } from './stats';

const accuracyAt = (curve: Array<{ epsilon: number; accuracy: number }>, e: number) => curve.find((p) => Math.abs(p.epsilon - e) < 1e-12)?.accuracy ?? null;

interface Panel {
  /** Title and subtitle. */
  title: [string, string];
  axis: string;
  value: (run: ExperimentResult) => number | null;
}

export function accuracyFigure(runs: ExperimentResult[], epsilon: number): TopLevelSpec {
  const attacked = attackedName(runs);
  // Short axis titles: vega makes room above the panels for any that is longer than a panel is high.
  const panels: Panel[] = [
    { title: [testAccuracyName(runs), 'last epoch'], axis: 'accuracy', value: (r) => r.epochs.at(-1)?.valAccuracy ?? null },
    { title: [`FGSM, ${GREEK.epsilon} = ${num(epsilon)}`, `accuracy on ${attacked}`], axis: 'accuracy', value: (r) => accuracyAt(r.robustness.fgsm, epsilon) },
    { title: [`PGD, ${GREEK.epsilon} = ${num(epsilon)}`, `accuracy on ${attacked}`], axis: 'accuracy', value: (r) => accuracyAt(r.robustness.pgd, epsilon) },
  ];
  const color = { field: 'strength', type: 'nominal', title: 'strength', scale: strengthColors(runs.map((r) => r.config)) } as const;
  const alpha = { field: 'alpha', type: 'quantitative', title: `measured ${GREEK.alpha}`, scale: { zero: false } } as const;
  const configs = runs.map((r) => r.config);
  const charts = panels.map((panel) => {
    const seeds = runs.flatMap((r) => {
      const value = panel.value(r);
      return value === null ? [] : [{ alpha: r.finalAlpha.alpha, value, strength: seriesLabel(r.config, configs), beta: r.config.strength }];
    });
    const means = seedGroups(runs).flatMap((group) => {
      const values = group.map(panel.value).filter((v): v is number => v !== null);
      if (values.length === 0) return [];
      const a = spread(group.map((r) => r.finalAlpha.alpha));
      const v = spread(values);
      const config = group[0]!.config;
      return [{ alpha: a.mean, alphaMin: a.min, alphaMax: a.max, value: v.mean, valueMin: v.min, valueMax: v.max, strength: seriesLabel(config, configs), beta: config.strength }];
    });
    // labelFlush keeps a tick label at the top edge inside the panel, where it would otherwise push this panel's title above the others'.
    const y = { field: 'value', type: 'quantitative', title: panel.axis, scale: { domain: paddedDomain(seeds.map((d) => d.value)), nice: false }, axis: { labelFlush: true } } as const;
    return {
      title: { text: panel.title[0], subtitle: panel.title[1] },
      width: 230,
      height: 190,
      layer: [
        { data: { values: seeds }, mark: { type: 'point', filled: true, size: 18, opacity: 0.45 }, encoding: { x: alpha, y, color } },
        { data: { values: means }, mark: { type: 'rule', strokeWidth: 1.2 }, encoding: { x: alpha, y: { ...y, field: 'valueMin' }, y2: { field: 'valueMax' }, color } },
        { data: { values: means }, mark: { type: 'rule', strokeWidth: 1.2 }, encoding: { x: { ...alpha, field: 'alphaMin' }, x2: { field: 'alphaMax' }, y, color } },
        {
          data: { values: means },
          mark: { type: 'line', point: { filled: true, size: 45 }, strokeWidth: 1.5 },
          encoding: { x: alpha, y, color, detail: { field: 'strength' }, order: { field: 'alpha', type: 'quantitative' } },
        },
      ],
    };
  });
  return {
    title: {
      text: `Accuracy and robustness against measured ${GREEK.alpha} (Gerum et al. 2022, Fig. 2a-c)`,
      subtitle: [
        `${GREEK.alpha}: of the hidden layer, measured on the attacked images after training; ${epsilonUnits(GREEK)}; ${pgdSettings(runs)}`,
        'small points: each seed; large points and lines: mean over seeds; bars: min-max over seeds',
      ],
      anchor: 'start',
    },
    hconcat: charts,
    resolve: { scale: { x: 'shared', y: 'independent', color: 'shared' } },
  } as TopLevelSpec;
}
