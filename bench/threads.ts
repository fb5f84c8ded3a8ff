/**
 * The bench's threads suite: wasm on 1 thread against more, each count in
 * its own child process (bench/threadsChild.ts) because tfjs initialises
 * wasm once per process. The children run one after the other, so each has
 * the machine to itself.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export type ThreadsFigures = Record<string, number | string>;

export function benchThreads(counts: number[], repeats: number): ThreadsFigures[] {
  const child = join(import.meta.dirname, 'threadsChild.ts');
  return counts.map((threads) => {
    const output = execFileSync(process.execPath, ['--import', 'tsx', child, '--threads', String(threads), '--repeats', String(repeats)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return JSON.parse(output.trim().split('\n').at(-1) as string) as ThreadsFigures;
  });
}

const seconds = (value: number | string | undefined) => `${Number(value).toFixed(3)} s`;

/** Prints each count's figures and the speed-up of the last (most threads) over the first (1 thread). */
export function printThreads(runs: ThreadsFigures[]): void {
  console.log('\n[wasm threads, one child process per count]');
  for (const run of runs) console.log(`  ${run.message}`);
  const rows: Array<[string, string, string]> = [
    ['matMul 1500x784 by 784x2000', 'matmul_s', '>= 1.7x'],
    ['shallow-MLP training step', 'train_step_s', ''],
    ['same step with SpectralRegularizer', 'train_step_regularized_s', '>= 1.5x'],
    ['PGD-40, 1000 inputs, one pgd call', 'pgd40_1000_s', ''],
  ];
  const first = runs[0] as ThreadsFigures;
  const last = runs.at(-1) as ThreadsFigures;
  for (const [label, key, target] of rows) {
    const cells = runs.map((run) => `${run.threads} thread${run.threads === 1 ? '' : 's'} ${seconds(run[key])}`).join(', ');
    const speedUp = runs.length > 1 ? `   (${(Number(first[key]) / Number(last[key])).toFixed(2)}x faster${target ? `; target ${target}` : ''})` : '';
    console.log(`  ${label.padEnd(36)} ${cells}${speedUp}`);
  }
}
