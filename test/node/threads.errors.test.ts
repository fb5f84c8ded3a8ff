import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setupNodeBackend } from '../../src/node/index';
import { planThreads } from '../../src/node/wasmThreads';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);
const root = join(import.meta.dirname, '..', '..');
const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
/** Runs a child process to its end (it must exit by itself) and parses its last line. */
const child = (args: string[]) => JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 100_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n').at(-1) as string);
const sameWords = "; pass threads: 1 for single-threaded wasm";

describe('threads: how many, and why (planThreads)', () => {
  it('all cores by default, never more than the cores or the build allows, and says which limit applied', () => {
    expect(planThreads(undefined, 2, 8)).toEqual({ threads: 2, why: '2 cores' });
    expect(planThreads(undefined, 1, 8)).toEqual({ threads: 1, why: '1 core' });
    expect(planThreads(undefined, 16, 8)).toEqual({ threads: 8, why: '16 cores; the threaded wasm build has at most 8' });
    expect(planThreads(3, 2, 8)).toEqual({ threads: 2, why: '3 asked, 2 cores' });
    expect(planThreads(1, 4, 8)).toEqual({ threads: 1, why: '1 asked, 4 cores' });
    expect(planThreads(12, 16, 8)).toEqual({ threads: 8, why: '12 asked, 16 cores; the threaded wasm build has at most 8' });
  });
});

describe('threads: options and errors', () => {
  it('threads must be an integer >= 1', async () => {
    await expect(setupNodeBackend({ threads: 0 })).rejects.toThrow(new RangeError('setupNodeBackend: threads must be an integer >= 1, got 0'));
    await expect(setupNodeBackend({ threads: 1.5 })).rejects.toThrow(new RangeError('setupNodeBackend: threads must be an integer >= 1, got 1.5'));
    await expect(setupNodeBackend({ threads: '2' as never })).rejects.toThrow(new TypeError('setupNodeBackend: threads must be an integer >= 1, got "2"'));
  });

  it.skipIf(cores < 2)('wasm selected before setupNodeBackend: an explicit count that differs is an error; all cores takes what runs', () => {
    const { explicit, info } = child(['--import', 'tsx', fixture('initialisedFirst.ts')]);
    expect(explicit).toEqual({
      name: 'ThreadsUnavailableError',
      message: `setupNodeBackend: threads 2 cannot be had: the wasm backend was initialised earlier in this process with 1 thread, and tfjs initialises it once (call setupNodeBackend before anything selects wasm)${sameWords}`,
    });
    expect(info.threads).toBe(1);
    expect(info.message).toMatch(/^spectral-reg: using the wasm backend with 1 thread \(initialised earlier in this process\): XNNPACK; /);
  });

  // Runs the built package (npm test builds dist/ first).
  describe.skipIf(cores < 2)('a Node without SharedArrayBuffer (--no-harmony-sharedarraybuffer)', () => {
    const run = (mode: string) => child(['--no-harmony-sharedarraybuffer', fixture('noSharedMemory.mjs'), mode]);
    const problem = 'SharedArrayBuffer is not available in this Node (was it started with --no-harmony-sharedarraybuffer?)';

    it('all cores falls back to one thread and says why', () => {
      const { info } = run('wasm-default');
      expect(info.threads).toBe(1);
      expect(info.message).toBe(
        `spectral-reg: using the wasm backend with 1 thread (threaded wasm unavailable: ${problem}): XNNPACK; transposed matMul routed to the fast path, Conv2DBackpropFilter added, MaxPoolGrad fixed`,
      );
    });

    it('an explicit count fails, also under auto (it does not fall through to cpu)', () => {
      const expected = { name: 'ThreadsUnavailableError', message: `setupNodeBackend: threads 2 cannot be had: ${problem}${sameWords}` };
      expect(run('wasm-2')).toEqual({ error: expected });
      expect(run('auto-2')).toEqual({ error: expected });
    });
  });
});
