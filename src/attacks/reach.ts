import type { ResolvedAttackOptions } from './options';

/**
 * PGD takes `steps` steps of `stepSize` (sign steps for L-inf, unit-norm
 * steps for L2), so it ends at most steps x stepSize from where it starts,
 * in the attack's norm. When that is less than epsilon, the projection onto
 * the epsilon ball never acts on a run started at x, and every larger
 * epsilon gives the same attack: with the paper's defaults (40 steps of
 * 0.01), every epsilon above 0.4. This is not an error (the attack is valid,
 * only weaker than asked, and it is what the paper's code does); it is a
 * one-time console.warn per function, norm, steps and stepSize.
 */
const warned = new Set<string>();
let silenced = false;

/** Relative slack, so that 40 x 0.01 against epsilon 0.4 counts as reaching it despite round-off. */
const SLACK = 1e-9;

/** The epsilons of `epsilons` that steps x stepSize cannot reach, in the order given. */
export function unreachableEpsilons(o: Pick<ResolvedAttackOptions, 'steps' | 'stepSize'>, epsilons: readonly number[]): number[] {
  const reach = o.steps * o.stepSize;
  return epsilons.filter((e) => reach < e * (1 - SLACK));
}

/** Up to 12 significant digits, so 3 x 0.1 prints as 0.3. */
const show = (v: number) => String(Number(v.toPrecision(12)));

/** The smallest number with 3 significant digits that is >= v. */
function roundUp(v: number): number {
  const unit = 10 ** (Math.floor(Math.log10(v)) - 2);
  return Number((Math.ceil((v / unit) * (1 - 1e-12)) * unit).toPrecision(12));
}

/** The warning's text; `fn` is the public function, `epsilons` the unreachable ones (at least one). */
export function unreachableMessage(fn: string, o: Pick<ResolvedAttackOptions, 'norm' | 'steps' | 'stepSize'>, epsilons: readonly number[]): string {
  const reach = o.steps * o.stepSize;
  const largest = Math.max(...epsilons);
  const which = epsilons.length === 1 ? `epsilon ${show(largest)}` : `epsilons ${epsilons.map(show).join(', ')}`;
  const steps = Math.ceil((largest / o.stepSize) * (1 - SLACK));
  return (
    `${fn}: ${fn === 'pgd' ? 'the attack' : 'pgd'} moves at most steps x stepSize = ${o.steps} x ${show(o.stepSize)} = ${show(reach)} ` +
    `(${o.norm === 'linf' ? 'L-inf' : 'L2'}) from its start, less than ${which}, so it cannot reach the edge of the epsilon ball: ` +
    `a run started at x gives the same result for every epsilon >= ${show(reach)}. ` +
    `Raise steps to at least ${steps} or stepSize to at least ${show(roundUp(largest / o.steps))}. ` +
    'Shown once per norm, steps and stepSize.'
  );
}

/** Warns once per (fn, norm, steps, stepSize) when some epsilon is out of PGD's reach. */
export function warnIfUnreachable(fn: string, o: Pick<ResolvedAttackOptions, 'norm' | 'steps' | 'stepSize'>, epsilons: readonly number[]): void {
  if (silenced) return;
  const far = unreachableEpsilons(o, epsilons);
  if (far.length === 0) return;
  const key = `${fn}|${o.norm}|${o.steps}|${o.stepSize}`;
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(unreachableMessage(fn, o, far));
}

/** For parallelAttack's workers: the calling thread has already warned. */
export function silenceReachWarnings(): void {
  silenced = true;
}

/** For tests: forget which warnings were shown. */
export function resetReachWarnings(): void {
  warned.clear();
  silenced = false;
}
