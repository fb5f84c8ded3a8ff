import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeResult } from '../../examples/experiment/cli';
import { completeConfig, type ExperimentResult } from '../../examples/experiment/runExperiment';
import { writeFigures } from '../../examples/figures';

/** A run file as runExperiment writes it, with made-up numbers: no training needed to draw figures. */
function fakeRun(strength: number): ExperimentResult {
  const spectrum = Array.from({ length: 10 }, (_, i) => (i + 1) ** -2);
  return {
    schema: 'spectral-reg/experiment@1',
    config: completeConfig({ model: 'shallow-mlp', dataset: 'mnist', targetAlpha: 2, strength, epochs: 2 }),
    backend: 'cpu',
    epochs: [0, 1].map((epoch) => ({ epoch, alpha: 1.5 + epoch, loss: 0.5, valAccuracy: 0.9, spectrum })),
    finalAlpha: { alpha: 2, r2: 0.99 },
    robustness: { fgsm: [{ epsilon: 0, accuracy: 0.9 }, { epsilon: 0.1, accuracy: 0.4 }], pgd: [{ epsilon: 0, accuracy: 0.9 }, { epsilon: 0.1, accuracy: 0.3 }] },
    seconds: 1,
  };
}

describe('figures and run files are written atomically', () => {
  it('a link where a figure goes is replaced, its target left alone, and no temp file stays', async () => {
    const root = mkdtempSync(join(tmpdir(), 'figures-atomic-'));
    try {
      const out = join(root, 'figures');
      mkdirSync(out);
      const outside = join(root, 'outside.svg');
      writeFileSync(outside, 'keep me');
      symlinkSync(outside, join(out, 'spectrum-fit.svg'));
      const written = await writeFigures([fakeRun(1), fakeRun(0)], out, 0.1);
      expect(readFileSync(outside, 'utf8')).toBe('keep me');
      expect(lstatSync(join(out, 'spectrum-fit.svg')).isFile()).toBe(true);
      expect(readFileSync(join(out, 'spectrum-fit.svg'), 'utf8').startsWith('<svg')).toBe(true);
      expect(readdirSync(out).sort()).toEqual(written.map((p) => p.split('/').at(-1)).sort());
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('writeResult writes through no link: neither one at the run file nor one planted at the old fixed temp name', () => {
    const root = mkdtempSync(join(tmpdir(), 'result-atomic-'));
    try {
      const outside = join(root, 'outside.json');
      writeFileSync(outside, 'keep me');
      mkdirSync(join(root, 'runs'));
      symlinkSync(outside, join(root, 'runs', 'run.json'));
      symlinkSync(outside, join(root, 'runs', 'run.json.partial'));
      const path = writeResult(join(root, 'runs'), 'run.json', fakeRun(1));
      expect(readFileSync(outside, 'utf8')).toBe('keep me');
      expect(lstatSync(path).isFile()).toBe(true);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(fakeRun(1));
      expect(readdirSync(join(root, 'runs')).sort()).toEqual(['run.json', 'run.json.partial']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
