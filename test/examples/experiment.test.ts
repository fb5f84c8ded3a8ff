import { execFileSync, spawn } from 'node:child_process';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkConfig, checkCounts } from '../../examples/experiment/checkConfig';
import { completeConfig, runExperiment } from '../../examples/experiment/runExperiment';
import { loadRuns, runFileName, runIdentity } from '../../examples/experiment/runFiles';
import { configFromFlags, parseFlags } from '../../examples/experiment/cli';
import { expectNoLeak } from '../helpers/oracles';
import { writeFigures } from '../../examples/figures';
import { parseList, parseRepeats, parseShard } from '../../examples/sweep';
import { setupNodeBackend } from '../../src/node/index';

const tiny = completeConfig({
  model: 'shallow-mlp',
  dataset: 'mnist',
  targetAlpha: 2,
  strength: 1,
  epochs: 2,
  batchSize: 100,
  learningRate: 1e-3,
  trainLimit: 300,
  testLimit: 100,
  attackLimit: 40,
  fgsmEpsilons: [0, 0.1],
  pgdEpsilons: [0, 0.1],
  seed: 3,
});

describe('runExperiment', () => {
  beforeAll(async () => {
    await setupNodeBackend({ backend: 'wasm', quiet: true });
  });

  it('writes the documented schema, and a seed makes the run repeat exactly', async () => {
    const a = await runExperiment(tiny);
    expect(a.schema).toBe('spectral-reg/experiment@1');
    expect(a.codeVersion).toMatch(/^[0-9a-f]{12}(-dirty)?$/);
    expect(a.config).toMatchObject({ targetAlpha: 2, strength: 1, model: 'shallow-mlp' });
    expect(a.counts).toEqual({ train: 300, test: 100, attacked: 40 });
    expect(a.epochs.map((e) => e.epoch)).toEqual([0, 1]);
    for (const e of a.epochs) {
      expect(Number.isFinite(e.alpha) && Number.isFinite(e.loss)).toBe(true);
      expect(e.valAccuracy).toBeGreaterThan(0.2);
      expect(e.spectrum).toHaveLength(10);
    }
    expect(a.robustness.fgsm.map((p) => p.epsilon)).toEqual([0, 0.1]);
    expect(a.robustness.pgd[1]!.accuracy).toBeLessThanOrEqual(a.robustness.pgd[0]!.accuracy);
    expect(a.robustness.fgsm[0]!.accuracy).toBe(a.robustness.pgd[0]!.accuracy);
    const b = await runExperiment(tiny);
    expect(b.epochs).toEqual(a.epochs);
    expect(b.robustness).toEqual(a.robustness);
    // Figures render from run files.
    const out = mkdtempSync(join(tmpdir(), 'figures-'));
    try {
      const baseline = { ...a, config: { ...a.config, strength: 0 } };
      const written = await writeFigures([a, baseline], out, 0.1);
      expect(written.map((p) => p.split('/').at(-1))).toEqual(['fig2abc-accuracy-robustness.svg', 'fig2de-alpha-over-epochs.svg', 'fig2f-robustness-curves.svg', 'spectrum-fit.svg']);
      for (const path of written) {
        const svg = readFileSync(path, 'utf8');
        expect(svg.startsWith('<svg')).toBe(true);
      }
      expect(readFileSync(written[0]!, 'utf8')).toContain('measured α');
      expect(readFileSync(written[3]!, 'utf8')).toContain('baseline (β 0)');
      expect(readFileSync(written[0]!, 'utf8')).toContain('test accuracy (100 images)');
      // Runs of two losses are two series, never one line through both.
      const fixedSlope = { ...a, config: { ...a.config, mode: 'fixed-slope' as const } };
      const mixed = await writeFigures([a, fixedSlope, baseline], out, 0.1);
      for (const path of mixed) {
        const svg = readFileSync(path, 'utf8');
        expect(svg).toContain('β 1, slope');
        expect(svg).toContain('β 1, fixed-slope');
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('sweep', () => {
  it('parses grids and shards', () => {
    expect(parseList('alphas', '0:1:0.2')).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(parseList('betas', '0,0.1,1')).toEqual([0, 0.1, 1]);
    expect(() => parseList('alphas', '0:1:0')).toThrow('--alphas must be start:stop:step with start <= stop and step > 0, got "0:1:0"');
    // Mistyped grids are errors, not silently other grids: an empty range, a fourth field, an empty item.
    expect(() => parseList('alphas', '3:1:0.5')).toThrow('--alphas must be start:stop:step with start <= stop and step > 0, got "3:1:0.5"');
    expect(() => parseList('alphas', '0:4:0.2:9')).toThrow('--alphas must be start:stop:step with start <= stop and step > 0, got "0:4:0.2:9"');
    expect(() => parseList('alphas', '1,,2')).toThrow('--alphas must be numbers separated by commas, got "1,,2"');
    expect(() => parseList('betas', '0.1,')).toThrow('--betas must be numbers separated by commas, got "0.1,"');
    expect(parseRepeats('3')).toBe(3);
    const config = (...argv: string[]) => configFromFlags(parseFlags('test', argv), 3, 1);
    expect(config('--pgd-epsilons', '0.05,0.1').pgdEpsilons).toEqual([0.05, 0.1]);
    expect(() => config('--pgd-epsilons', '0.05,')).toThrow('--pgd-epsilons must be numbers separated by commas, got "0.05,"');
    expect(() => config('--fgsm-epsilons', '0,,0.1')).toThrow('--fgsm-epsilons must be numbers separated by commas, got "0,,0.1"');
    expect(() => config('--seed', '')).toThrow('--seed must be a number, got ""');
    expect(() => config('--range', '0,')).toThrow('--range must be start,end (e.g. 0,10), got "0,"');
    for (const bad of ['abc', '0', '2.9', '']) expect(() => parseRepeats(bad)).toThrow(`--repeats must be an integer >= 1, got ${JSON.stringify(bad)}`);
    expect(parseShard('2/3')).toEqual([2, 3]);
    expect(() => parseShard('4/3')).toThrow('--shard must be i/n with 1 <= i <= n, got "4/3"');
  });

  it('runs its shard, then resumes: finished runs are skipped, other settings run afresh, broken files are redone', () => {
    const out = mkdtempSync(join(tmpdir(), 'sweep-'));
    const args = ['tsx', 'examples/sweep.ts', '--alphas', '1,2', '--betas', '0,1', '--epochs', '1', '--batch-size', '100', '--train-limit', '200', '--test-limit', '60', '--attack-limit', '20', '--out', out, '--quiet', '--threads', '1'];
    const sweep = (...extra: string[]) => execFileSync('npx', [...args, ...extra], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      // Points: beta 0 once, beta 1 at alphas 1 and 2: three runs; shard 1/2 takes the first and third.
      expect(sweep('--shard', '1/2')).toMatch(/sweep: 2 runs in shard 1\/2, 0 already done, 2 to run/);
      const files = readdirSync(out).sort();
      expect(files).toHaveLength(2);
      expect(files[0]).toMatch(/^shallow-mlp_mnist_baseline_e1_s0_[0-9a-f]{10}\.json$/);
      expect(files[1]).toMatch(/^shallow-mlp_mnist_slope_a2_b1_e1_s0_[0-9a-f]{10}\.json$/);
      expect(sweep('--shard', '1/2')).toMatch(/2 already done, 0 to run/);
      const run = JSON.parse(readFileSync(join(out, files[1]!), 'utf8'));
      expect(run.config).toMatchObject({ targetAlpha: 2, strength: 1, epochs: 1, attackLimit: 20, batchSize: 100, pgdSteps: 40, pgdStepSize: 0.01 });
      // A setting the file name does not show (here the attacked images) makes a new run, not a reused one.
      const other = args.map((a) => (a === '20' ? '30' : a));
      expect(execFileSync('npx', [...other, '--shard', '1/2'], { encoding: 'utf8' })).toMatch(/0 already done, 2 to run/);
      expect(readdirSync(out)).toHaveLength(4);
      // A truncated run file is reported and its run redone.
      writeFileSync(join(out, files[1]!), '{"schema": "spectral-reg/experiment@1", "con');
      const resumed = execFileSync('npx', [...args, '--shard', '1/2'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(resumed).toMatch(/1 already done, 1 to run/);
      expect(JSON.parse(readFileSync(join(out, files[1]!), 'utf8')).config.targetAlpha).toBe(2);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('checks every setting before any work', () => {
    const run = (...extra: string[]) => {
      try {
        execFileSync('npx', ['tsx', 'examples/sweep.ts', '--alphas', '1', '--betas', '1', '--epochs', '1', '--out', join(tmpdir(), 'never-written'), '--quiet', ...extra], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        return '';
      } catch (error) {
        return String((error as { stderr: string }).stderr).trim().split('\n').at(-1);
      }
    };
    expect(run('--test-limit', '8')).toBe('runExperiment: testLimit must be an integer >= 11, got 8');
    expect(run('--attack-limit', '0')).toBe('runExperiment: attackLimit must be an integer >= 11, got 0');
    expect(run('--batch-size', '10')).toBe('runExperiment: batchSize must be an integer > range end 10, got 10');
    expect(run('--pgd-epsilons', '0,x')).toBe('--pgd-epsilons must be numbers separated by commas, got "0,x"');
    expect(run('--threads', '0')).toBe('setupNodeBackend: threads must be an integer >= 1, got 0');
    expect(run('--threads', 'all')).toBe('--threads must be a number, got "all"');
  });
});

describe('sweep under random kills (fast-check)', () => {
  it('every run file is complete and valid after a kill at any moment, and the sweep then finishes the grid', async () => {
    const args = ['tsx', 'examples/sweep.ts', '--alphas', '1,2', '--betas', '0,1', '--epochs', '1', '--batch-size', '100', '--train-limit', '200', '--test-limit', '60', '--attack-limit', '20', '--quiet', '--threads', '1'];
    /** Starts a sweep into `out`; kills its whole process group (npx, tsx, node) after `killAfterMs`, or lets it finish. */
    const sweepInto = async (out: string, killAfterMs: number | null) => {
      const child = spawn('npx', [...args, '--out', out], { stdio: 'ignore', detached: true });
      // Listen before waiting: a sweep that ends before the kill must not leave the test waiting for an exit already past.
      const exited = new Promise((resolve) => child.once('exit', resolve).once('error', resolve));
      if (killAfterMs !== null) {
        await new Promise((resolve) => setTimeout(resolve, killAfterMs));
        try {
          process.kill(-(child.pid as number), 'SIGKILL');
        } catch {
          // already finished
        }
      }
      await exited;
    };
    // Kill moments are fractions of how long a whole sweep takes on this machine now, so they fall inside it.
    const reference = mkdtempSync(join(tmpdir(), 'sweep-whole-'));
    const started = performance.now();
    try {
      await sweepInto(reference, null);
      expect(loadRuns(reference, () => undefined)).toHaveLength(3);
    } finally {
      rmSync(reference, { recursive: true, force: true });
    }
    const whole = performance.now() - started;
    await fc.assert(
      // Without fast-check's bias towards small values, so the moments spread over the whole sweep.
      fc.asyncProperty(fc.noBias(fc.integer({ min: 5, max: 98 })), async (percent) => {
        const fraction = percent / 100;
        const out = mkdtempSync(join(tmpdir(), 'sweep-kill-'));
        try {
          await sweepInto(out, fraction * whole);
          const warnings: string[] = [];
          const runs = loadRuns(out, (m) => warnings.push(m));
          expect(warnings).toEqual([]);
          expect(readdirSync(out).filter((f) => f.endsWith('.json'))).toHaveLength(runs.length);
          const resumed = execFileSync('npx', [...args, '--out', out], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
          expect(resumed).toContain(`sweep: 3 runs in shard 1/1, ${runs.length} already done, ${3 - runs.length} to run`);
          expect(loadRuns(out, (m) => warnings.push(m))).toHaveLength(3);
          expect(warnings).toEqual([]);
        } finally {
          rmSync(out, { recursive: true, force: true });
        }
      }),
      { numRuns: 4, seed: 11 },
    );
  });
});

describe('runExperiment memory', () => {
  it('leaves no tensor behind, run after run', async () => {
    await setupNodeBackend({ backend: 'wasm', quiet: true });
    await runExperiment(tiny);
    await expectNoLeak(() => runExperiment(tiny));
  });
});

describe('command line tools', () => {
  const tsx = (script: string, ...args: string[]) => {
    try {
      return { code: 0, out: execFileSync('npx', ['tsx', script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
    } catch (error) {
      return { code: (error as { status: number }).status, out: String((error as { stderr: string }).stderr).trim().split('\n').at(-1) as string };
    }
  };
  it('each answers --help with its flags and defaults', () => {
    for (const [script, flag] of [
      ['examples/experiment.ts', '  --pgd-step-size VALUE     PGD step size (default 0.01)'],
      ['examples/sweep.ts', '  --alphas VALUE            target alphas: start:stop:step (inclusive) or a,b,c (default 0:4:0.2)'],
      ['examples/figures.ts', '  --epsilon VALUE           epsilon of the accuracy-against-alpha panels (default 0.05)'],
      ['examples/summarize.ts', '  --epsilons VALUE          epsilons of the FGSM and PGD columns, comma-separated (default 0.05,0.1)'],
    ]) {
      const { code, out } = tsx(script as string, '--help');
      expect(code).toBe(0);
      expect(out).toMatch(/^usage: npm run /);
      expect(out.split('\n')).toContain(flag);
    }
  });
  it('an unknown flag points to --help', () => {
    expect(tsx('examples/sweep.ts', '--alpah', '3')).toEqual({
      code: 1,
      out: "Unknown option '--alpah' (see npm run sweep -- --help)",
    });
  });
});

describe('checkConfig', () => {
  it('names the setting and the value', () => {
    expect(() => checkConfig({ ...tiny, epochs: 0 })).toThrow(new RangeError('runExperiment: epochs must be an integer >= 1, got 0'));
    expect(() => checkConfig({ ...tiny, learningRate: 0 })).toThrow(new RangeError('runExperiment: learningRate must be a finite number > 0, got 0'));
    expect(() => checkConfig({ ...tiny, range: [0, 1] })).toThrow(new RangeError('runExperiment: range must be [start, end) with 0 <= start and at least 2 ranks, got [0,1]'));
    expect(() => checkConfig({ ...tiny, fgsmEpsilons: [] })).toThrow(new RangeError('runExperiment: fgsmEpsilons must be a non-empty list of finite numbers >= 0, got []'));
    expect(() => checkConfig({ ...tiny, pgdStepSize: -1 })).toThrow(new RangeError('runExperiment: pgdStepSize must be a finite number > 0, got -1'));
    expect(() => checkCounts(tiny, 50, 100)).toThrow(new RangeError('runExperiment: batchSize 100 is larger than the 50 training images of "mnist"'));
    expect(() => checkCounts({ ...tiny, attackLimit: 400 }, 300, 10)).toThrow(new RangeError('runExperiment: 10 test images are attacked and measured, but the fitted range ends at 10: use more test images'));
  });
});

describe('run identity', () => {
  it('covers every setting but ignores the target and mode of a baseline', () => {
    expect(runIdentity({ ...tiny, attackLimit: 41 })).not.toBe(runIdentity(tiny));
    expect(runIdentity({ ...tiny, learningRate: 2e-3 })).not.toBe(runIdentity(tiny));
    expect(runIdentity({ ...tiny, pgdEpsilons: [0, 0.2] })).not.toBe(runIdentity(tiny));
    expect(runIdentity({ ...tiny, seed: 4 })).not.toBe(runIdentity(tiny));
    expect(runIdentity({ ...tiny, seed: 4 }, { ignoreSeed: true })).toBe(runIdentity(tiny, { ignoreSeed: true }));
    const baseline = { ...tiny, strength: 0 };
    expect(runIdentity({ ...baseline, targetAlpha: 4, mode: 'nassar' })).toBe(runIdentity(baseline));
    expect(runFileName({ ...baseline, targetAlpha: 4 })).toBe(runFileName(baseline));
    // A file written before a setting existed matches its default.
    const { pgdSteps: _, ...older } = tiny;
    expect(runIdentity(older as typeof tiny)).toBe(runIdentity(tiny));
  });
});
