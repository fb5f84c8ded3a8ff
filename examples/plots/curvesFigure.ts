/**
 * Fig. 2f / S1: accuracy on the attacked images against epsilon, one column
 * per attack and one row per strength, one colour per target. Thin lines are
 * the seeds; points and bars the mean and min-max over seeds.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ExperimentResult } from '../experiment/runExperiment';
import { attackedName, GREEK, pgdSettings, targetLabel } from '../experiment/runLabels';
import { seriesLabel, strengthOrder, targetColors } from './colors';
import { seedGroups, spread } from './stats';

export function curvesFigure(runs: ExperimentResult[]): TopLevelSpec {
  const configs = runs.map((r) => r.config);
  const rows = seedGroups(runs).flatMap((group, g) => {
    const c = group[0]!.config;
    return (['fgsm', 'pgd'] as const).flatMap((attack) => {
      const common = { attack: attack.toUpperCase(), strength: seriesLabel(c, configs), color: targetLabel(c, GREEK), group: `${g}/${attack}` };
      const seeds = group.flatMap((r) => r.robustness[attack].map((p) => ({ ...common, kind: 'seed', run: `${g}/${r.config.seed}`, epsilon: p.epsilon, accuracy: p.accuracy })));
      const epsilons = [...new Set(seeds.map((d) => d.epsilon))].sort((a, b) => a - b);
      const means = epsilons.map((epsilon) => {
        const s = spread(seeds.filter((d) => d.epsilon === epsilon).map((d) => d.accuracy));
        return { ...common, kind: 'mean', epsilon, accuracy: s.mean, lo: s.min, hi: s.max };
      });
      return [...seeds, ...means];
    });
  });
  const color = { field: 'color', type: 'nominal', title: `target ${GREEK.alpha}`, scale: targetColors(configs) } as const;
  const x = { field: 'epsilon', type: 'quantitative', title: `${GREEK.epsilon} (${GREEK.linf} radius, pixel scale [0, 1])` } as const;
  // A short axis title: vega makes room above the panels for any that is longer than a panel is high.
  const y = { field: 'accuracy', type: 'quantitative' as const, title: 'accuracy', scale: { domain: [0, 1] } };
  const only = (kind: string) => [{ filter: `datum.kind === '${kind}'` }];
  return {
    title: {
      text: `Accuracy under attack against ${GREEK.epsilon} (Gerum et al. 2022, Fig. 2f and S1)`,
      subtitle: [
        `accuracy on the ${attackedName(runs)}; ${GREEK.epsilon} 0 is the clean accuracy; ${pgdSettings(runs)}`,
        'thin lines: each seed; points and bars: mean and min-max over seeds',
      ],
      anchor: 'start',
    },
    data: { values: rows },
    facet: {
      column: { field: 'attack', type: 'nominal', title: null },
      row: { field: 'strength', type: 'nominal', title: null, sort: strengthOrder(configs) },
    },
    spec: {
      width: 240,
      height: 150,
      layer: [
        { transform: only('seed'), mark: { type: 'line', strokeWidth: 0.8, opacity: 0.5 }, encoding: { x, y, color, detail: { field: 'run' } } },
        {
          // One filter for both layers: separate ones leave vega-lite's dataflow optimiser unsettled (a warning).
          transform: only('mean'),
          layer: [
            { mark: { type: 'rule', strokeWidth: 1.2 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color } },
            { mark: { type: 'line', strokeWidth: 1.8, point: { filled: true, size: 30 } }, encoding: { x, y, color, detail: { field: 'group' } } },
          ],
        },
      ],
    },
  } as TopLevelSpec;
}
