/**
 * The bench's protocol suite: the paper protocol's own sizes on each backend
 * asked for (`--backends webgpu,wasm` on a GPU machine), each backend in its
 * own child process (bench/protocolChild.ts), one after the other, so that
 * wasm gets its threaded pool (tfjs initialises wasm once per process) and
 * each backend has the machine to itself. Ratios are taken against the last
 * backend listed.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export type ProtocolFigures = Record<string, number | string | null | Record<string, string>>;

export interface ProtocolSizes {
  batch: number;
  cnnBatch: number;
  pgdInputs: number;
  pgdSteps: number;
}

export function benchProtocol(backends: string[], repeats: number, sizes: ProtocolSizes, threads: string): ProtocolFigures[] {
  const child = join(import.meta.dirname, 'protocolChild.ts');
  return backends.map((backend) => {
    const args = ['--backend', backend, '--repeats', String(repeats), '--batch', String(sizes.batch), '--cnn-batch', String(sizes.cnnBatch)];
    args.push('--pgd-inputs', String(sizes.pgdInputs), '--pgd-steps', String(sizes.pgdSteps), ...(threads ? ['--threads', threads] : []));
    const output = execFileSync(process.execPath, ['--import', 'tsx', child, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    return JSON.parse(output.trim().split('\n').at(-1) as string) as ProtocolFigures;
  });
}

const cell = (value: ProtocolFigures[string] | undefined) => (typeof value === 'number' ? `${value.toFixed(3)} s` : 'failed');

const versus = (speedUp: number) => (speedUp >= 1 ? `${speedUp.toFixed(1)}x faster` : `${(1 / speedUp).toFixed(1)}x slower`);

/** Prints each backend's line and figures, and each backend's speed-up over the last one listed. */
export function printProtocol(runs: ProtocolFigures[]): void {
  const first = runs[0] as ProtocolFigures;
  console.log(`\n[paper protocol sizes, one child process per backend; the last backend is the reference]`);
  for (const run of runs) console.log(`  ${run.message}`);
  const rows: Array<[string, string]> = [
    [`shallow-MLP training step, batch ${first.batch}`, 'train_step_s'],
    [`same step with SpectralRegularizer`, 'train_step_regularized_s'],
    [`paper CNN training step, batch ${first.cnn_batch}`, 'cnn_step_s'],
    [`PGD-${first.pgd_steps} on ${first.pgd_inputs} inputs, one pgd call`, 'pgd_s'],
  ];
  const reference = runs.at(-1) as ProtocolFigures;
  for (const [label, key] of rows) {
    const cells = runs.map((run) => {
      const value = run[key];
      const speedUp = run !== reference && typeof value === 'number' && typeof reference[key] === 'number' ? ` (${versus((reference[key] as number) / value)})` : '';
      return `${run.backend} ${cell(value)}${speedUp}`;
    });
    console.log(`  ${label.padEnd(40)} ${cells.join(', ')}`);
  }
  for (const run of runs) {
    for (const [figures, message] of Object.entries((run.errors ?? {}) as Record<string, string>)) console.log(`  ${run.backend}: ${figures} failed: ${message}`);
  }
}
