/**
 * Fig. 2d-e: alpha per epoch, one panel per strength, one colour per target.
 * Thin lines are the seeds, the thick line and band the mean and min-max over
 * seeds, the dashed line the target the run was pulled towards.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ExperimentResult } from '../experiment/runExperiment';
import { GREEK, targetLabel } from '../experiment/runLabels';
import { seriesLabel, strengthOrder, targetColors } from './colors';
import { seedGroups, spread } from './stats';

export function alphaFigure(runs: ExperimentResult[]): TopLevelSpec {
  const configs = runs.map((r) => r.config);
  const rows = seedGroups(runs).flatMap((group, g) => {
    const c = group[0]!.config;
    const common = { strength: seriesLabel(c, configs), color: targetLabel(c, GREEK), group: g };
    const seeds = group.flatMap((r) => r.epochs.filter((e) => Number.isFinite(e.alpha)).map((e) => ({ ...common, kind: 'seed', run: `${g}/${r.config.seed}`, epoch: e.epoch + 1, alpha: e.alpha })));
    const epochs = [...new Set(seeds.map((d) => d.epoch))].sort((a, b) => a - b);
    const means = epochs.map((epoch) => {
      const s = spread(seeds.filter((d) => d.epoch === epoch).map((d) => d.alpha));
      return { ...common, kind: 'mean', epoch, alpha: s.mean, lo: s.min, hi: s.max };
    });
    // A baseline has no target to draw.
    const target = c.strength === 0 ? [] : [{ ...common, kind: 'target', alpha: c.targetAlpha }];
    return [...seeds, ...means, ...target];
  });
  const few = Math.max(0, ...runs.map((r) => r.epochs.length)) <= 10;
  const color = { field: 'color', type: 'nominal', title: `target ${GREEK.alpha}`, scale: targetColors(configs) } as const;
  const x = { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { format: 'd', tickMinStep: 1 } } as const;
  // A short axis title: vega makes room above the panels for any that is longer than a panel is high.
  const y = { field: 'alpha', type: 'quantitative', title: `measured ${GREEK.alpha}`, scale: { zero: false } } as const;
  const only = (kind: string) => [{ filter: `datum.kind === '${kind}'` }];
  return {
    title: {
      text: `Measured ${GREEK.alpha} during training (Gerum et al. 2022, Fig. 2d-e)`,
      subtitle: [
        `${GREEK.alpha} of the hidden layer, mean over each epoch's training batches`,
        'thin lines: each seed; thick line and band: mean and min-max over seeds; dashed: the target',
      ],
      anchor: 'start',
    },
    data: { values: rows },
    facet: { column: { field: 'strength', type: 'nominal', title: null, sort: strengthOrder(configs) } },
    spec: {
      width: 240,
      height: 200,
      layer: [
        { transform: only('seed'), mark: { type: 'line', strokeWidth: 0.8, opacity: 0.5 }, encoding: { x, y, color, detail: { field: 'run' } } },
        {
          // One filter for both layers: separate ones leave vega-lite's dataflow optimiser unsettled (a warning).
          transform: only('mean'),
          layer: [
            { mark: { type: 'area', opacity: 0.18 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color, detail: { field: 'group' } } },
            { mark: { type: 'line', strokeWidth: 2.2, point: few }, encoding: { x, y, color, detail: { field: 'group' } } },
          ],
        },
        { transform: only('target'), mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.2 }, encoding: { y, color } },
      ],
    },
  } as TopLevelSpec;
}
