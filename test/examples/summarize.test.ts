import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuns } from '../../examples/experiment/runFiles';
import { completeConfig, type ExperimentResult } from '../../examples/experiment/runExperiment';
import { summarize } from '../../examples/summarize';

function run(
  strength: number,
  targetAlpha: number,
  seed: number,
  alpha: number,
  fgsm: number,
  extra: Partial<ExperimentResult['config']> = {},
  /** null: a file written before run files had counts. */
  counts: ExperimentResult['counts'] | null = { train: 60000, test: 500, attacked: 100 },
): ExperimentResult {
  const points = (accuracy: number) => [
    { epsilon: 0, accuracy: 0.9 },
    { epsilon: 0.05, accuracy },
  ];
  return {
    schema: 'spectral-reg/experiment@1',
    config: completeConfig({ model: 'shallow-mlp', dataset: 'mnist', epochs: 1, strength, targetAlpha, seed, testLimit: 500, attackLimit: 100, ...extra }),
    backend: 'cpu',
    ...(counts ? { counts } : {}),
    epochs: [{ epoch: 0, alpha, loss: 0.3, valAccuracy: 0.88, spectrum: [] }] as unknown as ExperimentResult['epochs'],
    finalAlpha: { alpha, r2: 0.9 },
    robustness: { fgsm: points(fgsm), pgd: points(fgsm - 0.05) },
    seconds: 60,
  };
}

/** The cells of a markdown table line, without the padding. */
const cells = (line: string) => line.split('|').slice(1, -1).map((cell) => cell.trim());

describe('summarize', () => {
  it('one row per model, strength and target, seeds averaged with their range; baselines merged across targets', () => {
    const table = summarize(
      [run(1, 3, 0, 2.9, 0.4), run(1, 3, 1, 3.1, 0.5), run(0, 1, 0, 1.2, 0.3), run(0, 3, 1, 1.4, 0.36), run(1, 2, 0, 2.0, 0.33)],
      [0.05],
    ).split('\n');
    expect(cells(table[0]!)).toEqual(['model', 'beta', 'target', 'runs', 'measured alpha', 'test accuracy (500 images)', 'clean (100 attacked)', 'FGSM 0.05', 'PGD 0.05', 'seconds']);
    expect(table.slice(2, 5).map(cells)).toEqual([
      ['shallow-mlp', '0', '-', '2', '1.30 (1.20-1.40)', '0.880 (0.880-0.880)', '0.900 (0.900-0.900)', '0.330 (0.300-0.360)', '0.280 (0.250-0.310)', '60'],
      ['shallow-mlp', '1', '2', '1', '2.00', '0.880', '0.900', '0.330', '0.280', '60'],
      ['shallow-mlp', '1', '3', '2', '3.00 (2.90-3.10)', '0.880 (0.880-0.880)', '0.900 (0.900-0.900)', '0.450 (0.400-0.500)', '0.400 (0.350-0.450)', '60'],
    ]);
    // Padded into columns: every line of the table as long as the header.
    expect(new Set(table.slice(0, 5).map((line) => line.length)).size).toBe(1);
    expect(table.slice(5)).toEqual([
      '',
      'measured alpha: of the hidden layer, on the attacked images after training.',
      "test accuracy: the last epoch's, on the test images.",
      'clean, FGSM, PGD: accuracy on the 100 attacked images (the first test images); epsilon is the L-inf radius on the pixel scale [0, 1]; PGD: 40 steps of 0.01.',
      'Several runs: mean over seeds (min-max).',
    ]);
  });

  it('names the images behind each accuracy, from the limits for files without counts', () => {
    const header = (runs: ExperimentResult[]) => cells(summarize(runs, [0.05]).split('\n')[0]!).slice(5, 7);
    expect(header([run(1, 3, 0, 2.9, 0.4, {}, { train: 60000, test: 10000, attacked: 1000 })])).toEqual(['test accuracy (10000 images)', 'clean (1000 attacked)']);
    expect(header([run(1, 3, 0, 2.9, 0.4, { testLimit: 2000, attackLimit: 500 }, null)])).toEqual(['test accuracy (2000 images)', 'clean (500 attacked)']);
    expect(header([run(1, 3, 0, 2.9, 0.4, { testLimit: null, attackLimit: 500 }, null)])).toEqual(['test accuracy (the whole test split)', 'clean (500 attacked)']);
    const mixed = summarize([run(1, 3, 0, 2.9, 0.4), run(1, 3, 1, 2.9, 0.4, { testLimit: 2000, attackLimit: 200 }, { train: 60000, test: 2000, attacked: 200 })], [0.05]);
    // The limits differ, so they are columns too.
    expect(cells(mixed.split('\n')[0]!).slice(7, 9)).toEqual(['test accuracy (500-2000 images)', 'clean (100-200 attacked)']);
    // One run per setting: no line about seeds.
    expect(mixed).not.toContain('Several runs');
  });

  it('with standardErrors, each accuracy gets its binomial standard error over its images, pooled over seeds', () => {
    const table = summarize([run(1, 3, 0, 2.9, 0.4), run(1, 3, 1, 3.1, 0.5), run(0, 1, 0, 1.2, 0.3)], [0.05], { standardErrors: true });
    const rows = table.split('\n').slice(2, 4).map((line) => line.split('|').map((c) => c.trim()));
    // Baseline: FGSM 0.3 on 100 images, SE sqrt(0.3 * 0.7 / 100) = 0.046; test accuracy 0.88 on 500: 0.015.
    expect(rows[0]?.slice(6, 9)).toEqual(['0.880 ± 0.015', '0.900 ± 0.030', '0.300 ± 0.046']);
    // Two seeds of 100 images: FGSM mean 0.45, SE sqrt(0.45 * 0.55 / 200) = 0.035.
    expect(rows[1]?.[8]).toBe('0.450 (0.400-0.500) ± 0.035');
    expect(table).toContain('± : binomial standard error');
  });

  it('never averages runs that differ in anything but the seed: differing settings get columns', () => {
    const table = summarize(
      [run(1, 3, 0, 2.9, 0.4), run(1, 3, 1, 3.1, 0.5, { mode: 'fixed-slope' }), run(1, 3, 2, 3.0, 0.45, { dataset: 'idx:fashion' }), run(1, 3, 3, 2.8, 0.4, { epochs: 50 })],
      [0.05],
    ).split('\n');
    expect(cells(table[0]!).slice(0, 6)).toEqual(['model', 'dataset', 'epochs', 'mode', 'beta', 'target']);
    expect(table.slice(2, 6).map((line) => cells(line).slice(1, 7).join(' '))).toEqual([
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
