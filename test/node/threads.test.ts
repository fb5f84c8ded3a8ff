import { spawn } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NodeBackendInfo } from '../../src/node/index';

// tfjs initialises wasm once per process, so each thread count runs in a child process.
const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);
const root = join(import.meta.dirname, '..', '..');
const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;

/**
 * Runs a child to its end and returns its last stdout line as JSON. A child
 * still running after `limitMs` is killed and the test fails: a process
 * using threads must exit by itself once its work is done.
 */
function runChild(args: string[], limitMs = 100_000): Promise<unknown> {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let killed = false;
  const guard = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, limitMs);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      clearTimeout(guard);
      if (killed) reject(new Error(`child ${args.join(' ')} did not exit by itself within ${limitMs} ms; output: ${stdout}`));
      else if (code !== 0) reject(new Error(`child ${args.join(' ')} exited with ${code}: ${stderr.slice(-2000)}`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1) as string));
    });
  });
}

interface ThreadedRun {
  info: NodeBackendInfo;
  pool: { threads: number; runningWorkers: number };
  restored: { workerGlobal: string; cpus: number; flag: boolean };
  busyThreads: number | null;
  results: { matMuls: number[][]; sgdWeights: number[][]; convDx: number[]; convDw: number[]; maxPoolDx: number[] };
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe.skipIf(cores < 2)('wasm on 2 threads (child processes)', () => {
  let one: ThreadedRun;
  let two: ThreadedRun;
  beforeAll(async () => {
    // One after the other: on a 2-core machine, two children at once would share the cores.
    one = (await runChild(['--import', 'tsx', fixture('threadedRun.ts'), '1'])) as ThreadedRun;
    two = (await runChild(['--import', 'tsx', fixture('threadedRun.ts'), '2'])) as ThreadedRun;
  });

  it('the pool has the threads asked for, each running, and that is what is reported', () => {
    expect(one.pool).toEqual({ threads: 1, runningWorkers: 0 });
    expect(two.pool).toEqual({ threads: 2, runningWorkers: 1 });
    expect(one.info.threads).toBe(1);
    expect(two.info.threads).toBe(2);
    expect(two.info.message).toMatch(new RegExp(`^spectral-reg: using the wasm backend with 2 threads \\(2 asked, ${cores} cores\\): XNNPACK; `));
    expect(one.info.message).toMatch(new RegExp(`^spectral-reg: using the wasm backend with 1 thread \\(1 asked, ${cores} cores\\): XNNPACK; `));
  });

  it('a large matMul keeps 2 OS threads busy on 2 threads and 1 on 1 thread', () => {
    if (one.busyThreads === null || two.busyThreads === null) return; // no /proc (not Linux)
    expect(one.busyThreads).toBe(1);
    expect(two.busyThreads).toBeGreaterThanOrEqual(2);
  });

  it('nothing patched for initialisation is left behind: global Worker, os.cpus, the tfjs flag', () => {
    for (const run of [one, two]) expect(run.restored).toEqual({ workerGlobal: 'undefined', cpus: os.cpus().length, flag: false });
  });

  it('results equal the single-threaded backend to float32 tolerance (matMul, SGD step, conv and max-pool gradients)', () => {
    const a = one.results;
    const b = two.results;
    for (const [i, values] of a.matMuls.entries()) expect(maxDiff(values, b.matMuls[i]!)).toBeLessThan(1e-5);
    for (const [i, values] of a.sgdWeights.entries()) expect(maxDiff(values, b.sgdWeights[i]!)).toBeLessThan(1e-5);
    expect(maxDiff(a.convDx, b.convDx)).toBeLessThan(1e-5);
    expect(maxDiff(a.convDw, b.convDw)).toBeLessThan(1e-5);
    expect(maxDiff(a.maxPoolDx, b.maxPoolDx)).toBe(0);
    // The comparisons are not between empty or all-zero results.
    expect(Math.max(...a.convDw.map(Math.abs))).toBeGreaterThan(0.1);
    expect(a.matMuls).toHaveLength(4);
  });
});
