/** Colour scales shared by the figures, computed here so every figure gives a setting the same colour. */
import * as vega from 'vega';
import type { ExperimentConfig } from '../experiment/runExperiment';
import { GREEK, strengthLabel, targetLabel } from '../experiment/runLabels';

export interface ColorScale {
  domain: string[];
  range: string[];
}

/** As in the paper's Fig. 2: baseline blue, then orange and green for the weaker and stronger, then more. */
const STRENGTH_COLORS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#b279a2', '#9d755d', '#72b7b2', '#eeca3b'];

/** Whether the regularised runs use more than one loss mode: then each series names its mode. */
function severalModes(configs: ExperimentConfig[]): boolean {
  return new Set(configs.filter((c) => c.strength !== 0).map((c) => c.mode)).size > 1;
}

/**
 * The series a run belongs to: its strength, and its loss mode when the runs
 * mix modes (a line through points of two losses would join what differs).
 */
export function seriesLabel(config: ExperimentConfig, configs: ExperimentConfig[]): string {
  const strength = strengthLabel(config.strength, GREEK);
  return config.strength !== 0 && severalModes(configs) ? `${strength}, ${config.mode}` : strength;
}

/** Series labels in increasing strength (then mode), for colours and facet order. */
export function strengthOrder(configs: ExperimentConfig[]): string[] {
  const sorted = [...configs].sort((a, b) => a.strength - b.strength || a.mode.localeCompare(b.mode));
  return [...new Set(sorted.map((c) => seriesLabel(c, configs)))];
}

export function strengthColors(configs: ExperimentConfig[]): ColorScale {
  const domain = strengthOrder(configs);
  return { domain, range: domain.map((_, i) => STRENGTH_COLORS[i % STRENGTH_COLORS.length] as string) };
}

/** Targets from dark (low) to light (high) viridis, stopping before its pale yellow end; the baseline grey. */
export function targetColors(configs: ExperimentConfig[]): ColorScale {
  const targets = [...new Set(configs.filter((c) => c.strength !== 0).map((c) => c.targetAlpha))].sort((a, b) => a - b);
  const viridis = vega.scheme('viridis') as (t: number) => string;
  const hasBaseline = configs.some((c) => c.strength === 0);
  return {
    domain: [...(hasBaseline ? ['baseline'] : []), ...targets.map((targetAlpha) => targetLabel({ strength: 1, targetAlpha }, GREEK))],
    range: [...(hasBaseline ? ['#8c8c8c'] : []), ...targets.map((_, i) => viridis(targets.length === 1 ? 0.45 : (0.85 * i) / (targets.length - 1)))],
  };
}
