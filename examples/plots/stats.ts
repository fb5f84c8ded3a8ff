/** Summaries over seeds and axis domains for the figures. */
import type { ExperimentResult } from '../experiment/runExperiment';
import { runIdentity } from '../experiment/runFiles';

export interface Spread {
  mean: number;
  min: number;
  max: number;
  n: number;
}

export function spread(values: number[]): Spread {
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, min: Math.min(...values), max: Math.max(...values), n: values.length };
}

/** Runs that differ only in the seed, as in summarize: their mean and spread are drawn, never across other settings. */
export function seedGroups<R extends ExperimentResult>(runs: R[]): R[][] {
  const groups = new Map<string, R[]>();
  for (const run of runs) {
    const key = runIdentity(run.config, { ignoreSeed: true });
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()];
}

/**
 * An accuracy axis that spans at least `minSpan`, so that a difference of
 * 0.002 between two runs is not stretched over the whole panel: the values'
 * range padded by a tenth, widened about its centre to `minSpan`, rounded
 * out to hundredths and kept inside `limits`.
 */
export function paddedDomain(values: number[], minSpan = 0.05, limits: [number, number] = [0, 1]): [number, number] {
  if (values.length === 0) return limits;
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  const pad = (hi - lo) / 10;
  let [a, b] = [lo - pad, hi + pad];
  if (b - a < minSpan) [a, b] = [(lo + hi) / 2 - minSpan / 2, (lo + hi) / 2 + minSpan / 2];
  // Shift back inside the limits rather than cut, so the span is kept.
  if (a < limits[0]) [a, b] = [limits[0], Math.min(limits[1], b + limits[0] - a)];
  if (b > limits[1]) [a, b] = [Math.max(limits[0], a - (b - limits[1])), limits[1]];
  return [Math.max(limits[0], Math.floor(a * 100 + 1e-9) / 100), Math.min(limits[1], Math.ceil(b * 100 - 1e-9) / 100)];
}
