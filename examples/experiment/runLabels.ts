/**
 * What a run and its numbers are called, shared by the demo, summarize and
 * the figures, so that one number has one name everywhere:
 *
 * - "test accuracy (N images)": the last epoch's accuracy on the test split
 *   (`valAccuracy` in run files).
 * - "clean" / "FGSM" / "PGD" accuracy "on the M attacked images": the first M
 *   test images, without and with attack; only next to the attack results.
 */
import type { ExperimentConfig, ExperimentResult } from './runExperiment';

/** Symbols for the console (plain words) and for figures (Greek letters). */
export const TEXT = { alpha: 'alpha', beta: 'beta', epsilon: 'epsilon', linf: 'L-inf' };
export const GREEK = { alpha: 'α', beta: 'β', epsilon: 'ε', linf: 'L∞' };
export type Symbols = typeof TEXT;

/** A number as written by hand: at most `digits` decimals, no trailing zeros (0.6000000001 -> "0.6"). */
export const num = (value: number, digits = 3) => String(Number(value.toFixed(digits)));

/** "baseline (beta 0)" or "beta 1": the strength alone. */
export const strengthLabel = (strength: number, s: Symbols = TEXT) => (strength === 0 ? `baseline (${s.beta} 0)` : `${s.beta} ${num(strength)}`);

/** "baseline" or "target alpha 3": a baseline trains the same whatever its target, so it never has one. */
export const targetLabel = (c: Pick<ExperimentConfig, 'strength' | 'targetAlpha'>, s: Symbols = TEXT) =>
  c.strength === 0 ? 'baseline' : `target ${s.alpha} ${num(c.targetAlpha)}`;

/** "baseline (beta 0)" or "beta 1, target alpha 3". */
export const runLabel = (c: Pick<ExperimentConfig, 'strength' | 'targetAlpha'>, s: Symbols = TEXT) =>
  c.strength === 0 ? strengthLabel(0, s) : `${strengthLabel(c.strength, s)}, ${targetLabel(c, s)}`;

/** Images behind the test accuracy and the attacks; estimated from the limits for files without `counts` (null: the whole test split). */
export function imageCounts(run: ExperimentResult): { test: number | null; attacked: number } {
  if (run.counts) return run.counts;
  const test = run.config.testLimit ?? null;
  return { test, attacked: Math.min(run.config.attackLimit, test ?? Number.POSITIVE_INFINITY) };
}

/** "500 images", "100-500 images" when runs differ, "the whole test split" where a count is unknown. */
export function imagesPhrase(counts: Array<number | null>, noun = 'images'): string {
  const known = counts.filter((n): n is number => n !== null);
  if (known.length === 0) return 'the whole test split';
  const [lo, hi] = [Math.min(...known), Math.max(...known)];
  const phrase = lo === hi ? `${lo} ${noun}` : `${lo}-${hi} ${noun}`;
  return known.length < counts.length ? `${phrase} or the whole test split` : phrase;
}

/** "test accuracy (500 images)". */
export const testAccuracyName = (runs: ExperimentResult[]) => `test accuracy (${imagesPhrase(runs.map((r) => imageCounts(r).test))})`;

/** "100 attacked images". */
export const attackedName = (runs: ExperimentResult[]) => imagesPhrase(runs.map((r) => imageCounts(r).attacked), 'attacked images');

/** "epsilon is the L-inf radius on the pixel scale [0, 1]": the attacks' units. */
export const epsilonUnits = (s: Symbols = TEXT) => `${s.epsilon} is the ${s.linf} radius on the pixel scale [0, 1]`;

/** "PGD: 40 steps of 0.01" for the runs' settings (ranges when they differ). */
export function pgdSettings(runs: ExperimentResult[]): string {
  const distinct = (values: number[]) => [...new Set(values.map((v) => num(v, 6)))].join(' or ');
  return `PGD: ${distinct(runs.map((r) => r.config.pgdSteps))} steps of ${distinct(runs.map((r) => r.config.pgdStepSize))}`;
}
