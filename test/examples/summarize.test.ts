import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuns } from '../../examples/experiment/runFiles';
import type { ExperimentResult } from '../../examples/experiment/runExperiment';
import { summarize } from '../../examples/summarize';

function run(strength: number, targetAlpha: number, seed: number, alpha: number, fgsm: number, extra: Partial<ExperimentResult['config']> = {}): ExperimentResult {
  const points = (accuracy: number) => [
    { epsilon: 0, accuracy: 0.9 },
    { epsilon: 0.05, accuracy },
  ];
  return {
    schema: 'spectral-reg/experiment@1',
    config: { model: 'shallow-mlp', dataset: 'mnist', epochs: 1, strength, targetAlpha, seed, ...extra } as ExperimentResult['config'],
    backend: 'cpu',
    epochs: [{ epoch: 0, alpha, loss: 0.3, valAccuracy: 0.88, spectrum: [] }] as unknown as ExperimentResult['epochs'],
    finalAlpha: { alpha, r2: 0.9 },
    robustness: { fgsm: points(fgsm), pgd: points(fgsm - 0.05) },
    seconds: 60,
  };
}

describe('summarize', () => {
  it('one row per model, strength and target, seeds averaged with their range; baselines merged across targets', () => {
    const table = summarize(
      [run(1, 3, 0, 2.9, 0.4), run(1, 3, 1, 3.1, 0.5), run(0, 1, 0, 1.2, 0.3), run(0, 3, 1, 1.4, 0.36), run(1, 2, 0, 2.0, 0.33)],
      [0.05],
    ).split('\n');
    expect(table[0]).toBe('| model | beta | target | runs | measured alpha | val accuracy | clean | FGSM 0.05 | PGD 0.05 | seconds |');
    expect(table.slice(2)).toEqual([
      '| shallow-mlp | 0 | - | 2 | 1.30 (1.20-1.40) | 0.880 (0.880-0.880) | 0.900 (0.900-0.900) | 0.330 (0.300-0.360) | 0.280 (0.250-0.310) | 60 |',
      '| shallow-mlp | 1 | 2 | 1 | 2.00 | 0.880 | 0.900 | 0.330 | 0.280 | 60 |',
      '| shallow-mlp | 1 | 3 | 2 | 3.00 (2.90-3.10) | 0.880 (0.880-0.880) | 0.900 (0.900-0.900) | 0.450 (0.400-0.500) | 0.400 (0.350-0.450) | 60 |',
    ]);
  });

  it('never averages runs that differ in anything but the seed: differing settings get columns', () => {
    const table = summarize(
      [run(1, 3, 0, 2.9, 0.4), run(1, 3, 1, 3.1, 0.5, { mode: 'fixed-slope' }), run(1, 3, 2, 3.0, 0.45, { dataset: 'idx:fashion' }), run(1, 3, 3, 2.8, 0.4, { epochs: 50 })],
      [0.05],
    ).split('\n');
    expect(table[0]).toBe('| model | dataset | epochs | mode | beta | target | runs | measured alpha | val accuracy | clean | FGSM 0.05 | PGD 0.05 | seconds |');
    expect(table.slice(2).map((line) => line.split(' | ').slice(1, 7).join(' '))).toEqual([
      'idx:fashion 1 slope 1 3 1',
      'mnist 1 fixed-slope 1 3 1',
      'mnist 1 slope 1 3 1',
      'mnist 50 slope 1 3 1',
    ]);
  });
});

describe('loadRuns', () => {
  it('skips unreadable and foreign files with a warning naming each', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runs-'));
    try {
      writeFileSync(join(dir, 'good.json'), JSON.stringify(run(1, 3, 0, 2.9, 0.4)));
      writeFileSync(join(dir, 'truncated.json'), '{"schema": "spectral-reg/exp');
      writeFileSync(join(dir, 'other.json'), '{"name": "not a run"}');
      const warnings: string[] = [];
      const runs = loadRuns(dir, (m) => warnings.push(m));
      expect(runs.map((r) => r.file)).toEqual(['good.json']);
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toBe(`skipping ${join(dir, 'other.json')}: schema is undefined, not spectral-reg/experiment@1`);
      expect(warnings[1]).toMatch(new RegExp(`^skipping ${join(dir, 'truncated.json')}: .*JSON`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
