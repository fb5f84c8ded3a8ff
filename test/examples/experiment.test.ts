import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { completeConfig, runExperiment } from '../../examples/experiment/runExperiment';
import { writeFigures } from '../../examples/figures';
import { parseList, parseShard } from '../../examples/sweep';
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
    expect(a.config).toMatchObject({ targetAlpha: 2, strength: 1, model: 'shallow-mlp' });
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
      expect(readFileSync(written[0]!, 'utf8')).toContain('measured alpha');
      expect(readFileSync(written[3]!, 'utf8')).toContain('baseline (beta 0)');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('sweep', () => {
  it('parses grids and shards', () => {
    expect(parseList('alphas', '0:1:0.2')).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(parseList('betas', '0,0.1,1')).toEqual([0, 0.1, 1]);
    expect(() => parseList('alphas', '0:1:0')).toThrow('--alphas must be start:stop:step with step > 0, got "0:1:0"');
    expect(parseShard('2/3')).toEqual([2, 3]);
    expect(() => parseShard('4/3')).toThrow('--shard must be i/n with 1 <= i <= n, got "4/3"');
  });

  it('runs its shard, then resumes: finished runs are skipped', () => {
    const out = mkdtempSync(join(tmpdir(), 'sweep-'));
    const args = ['tsx', 'examples/sweep.ts', '--alphas', '1,2', '--betas', '0,1', '--epochs', '1', '--batch-size', '100', '--train-limit', '200', '--test-limit', '60', '--attack-limit', '20', '--out', out, '--quiet'];
    try {
      // Points: beta 0 once, beta 1 at alphas 1 and 2: three runs; shard 1/2 takes the first and third.
      const first = execFileSync('npx', [...args, '--shard', '1/2'], { encoding: 'utf8' });
      expect(first).toMatch(/sweep: 2 runs in shard 1\/2, 0 already done, 2 to run/);
      expect(readdirSync(out).sort()).toEqual(['shallow-mlp_mnist_slope_a1_b0_r0-10_e1_s0.json', 'shallow-mlp_mnist_slope_a2_b1_r0-10_e1_s0.json']);
      const again = execFileSync('npx', [...args, '--shard', '1/2'], { encoding: 'utf8' });
      expect(again).toMatch(/2 already done, 0 to run/);
      const run = JSON.parse(readFileSync(join(out, 'shallow-mlp_mnist_slope_a2_b1_r0-10_e1_s0.json'), 'utf8'));
      expect(run.config).toMatchObject({ targetAlpha: 2, strength: 1, epochs: 1 });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
