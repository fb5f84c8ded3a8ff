import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeResult } from '../../examples/experiment/cli';
import { completeConfig, type ExperimentResult } from '../../examples/experiment/runExperiment';
import { svg, writeFigures } from '../../examples/figures';
import { accuracyFigure } from '../../examples/plots/accuracyFigure';
import { alphaFigure } from '../../examples/plots/alphaFigure';
import { curvesFigure } from '../../examples/plots/curvesFigure';
import { spectrumFigure } from '../../examples/plots/spectrumFigure';
import { paddedDomain } from '../../examples/plots/stats';

/** A run file as runExperiment writes it, with made-up numbers: no training needed to draw figures. */
function fakeRun(strength: number, options: { targetAlpha?: number; seed?: number; accuracy?: number; alpha?: number } = {}): ExperimentResult {
  const { targetAlpha = 2, seed = 0, accuracy = 0.9, alpha = 2 } = options;
  const spectrum = Array.from({ length: 10 }, (_, i) => (i + 1) ** -2);
  return {
    schema: 'spectral-reg/experiment@1',
    config: completeConfig({ model: 'shallow-mlp', dataset: 'mnist', targetAlpha, strength, epochs: 2, testLimit: 500, attackLimit: 100, seed }),
    backend: 'cpu',
    counts: { train: 60000, test: 500, attacked: 100 },
    epochs: [0, 1].map((epoch) => ({ epoch, alpha: alpha - 0.5 + epoch / 2, loss: 0.5, valAccuracy: accuracy, spectrum })),
    finalAlpha: { alpha, r2: 0.99 },
    robustness: {
      fgsm: [{ epsilon: 0, accuracy: 0.9 }, { epsilon: 0.05, accuracy: accuracy - 0.5 }],
      pgd: [{ epsilon: 0, accuracy: 0.9 }, { epsilon: 0.05, accuracy: accuracy - 0.6 }],
    },
    seconds: 1,
  };
}

/** The text of an SVG: every title, label and legend entry, and each line of a multi-line one (tspans). */
const texts = (svgText: string) =>
  [...svgText.matchAll(/<text\b[^>]*?(?<!\/)>(.*?)<\/text>/g)].flatMap((m) => (m[1] as string).split(/<\/?tspan[^>]*>/).filter((line) => line !== ''));

/** The inline data of every layer of a spec (hconcat panels or one faceted data set), flattened. */
function rows(spec: unknown): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      const values = (node as { data?: { values?: unknown } }).data?.values;
      if (Array.isArray(values)) found.push(...(values as Array<Record<string, unknown>>));
      for (const [key, value] of Object.entries(node)) if (key !== 'data') walk(value);
    }
  };
  walk(spec);
  return found;
}

/** The y domains of the accuracy panels. */
const yDomains = (spec: unknown) =>
  (spec as { hconcat: Array<{ layer: Array<{ encoding: { y: { scale?: { domain?: [number, number] } } } }> }> }).hconcat.map((panel) => panel.layer[0]!.encoding.y.scale?.domain);

describe('paddedDomain', () => {
  it('spans at least the minimum, holds every value, and stays inside [0, 1]', () => {
    for (const values of [[0.886, 0.888], [0.5], [0.99, 1], [0, 0.01], [0.2, 0.9], [0.3, 0.31, 0.35]]) {
      const [lo, hi] = paddedDomain(values);
      expect(hi - lo).toBeGreaterThanOrEqual(0.05 - 1e-12);
      expect(lo).toBeLessThanOrEqual(Math.min(...values));
      expect(hi).toBeGreaterThanOrEqual(Math.max(...values));
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
    }
    expect(paddedDomain([0.886, 0.888])).toEqual([0.86, 0.92]);
    expect(paddedDomain([0.99, 1])).toEqual([0.95, 1]);
    expect(paddedDomain([0.2, 0.9])).toEqual([0.13, 0.97]);
  });
});

describe('figures', () => {
  const runs = [
    fakeRun(0, { seed: 0, accuracy: 0.886, alpha: 1.2 }),
    fakeRun(0, { seed: 1, accuracy: 0.888, alpha: 1.3 }),
    fakeRun(1, { targetAlpha: 3, seed: 0, accuracy: 0.887, alpha: 2.9 }),
    fakeRun(1, { targetAlpha: 3, seed: 1, accuracy: 0.885, alpha: 3.1 }),
    fakeRun(0.1000000002, { targetAlpha: 0.6000000001, seed: 0, accuracy: 0.887, alpha: 0.9 }),
  ];

  it('accuracy against alpha: axes span at least 0.05, every seed is drawn, and each setting its mean and min-max', () => {
    const spec = accuracyFigure(runs, 0.05);
    for (const domain of yDomains(spec)) expect(domain![1] - domain![0]).toBeGreaterThanOrEqual(0.05 - 1e-12);
    // Layers that share their data repeat it: count each row once.
    const data = [...new Set(rows(spec).map((d) => JSON.stringify(d)))].map((d) => JSON.parse(d) as Record<string, unknown>);
    // Three panels: five seeds and three means each.
    expect(data.filter((d) => !('valueMin' in d))).toHaveLength(15);
    const means = data.filter((d) => 'valueMin' in d && d.strength === 'baseline (β 0)');
    expect(means).toHaveLength(3);
    expect(means[0]).toMatchObject({ value: 0.887, valueMin: 0.886, valueMax: 0.888, alphaMin: 1.2, alphaMax: 1.3 });
    expect(means[0]!.alpha).toBeCloseTo(1.25, 12);
  });

  it('alpha over epochs: the target is a dashed line for every regularised setting and none for the baseline', () => {
    const spec = alphaFigure(runs);
    const targets = rows(spec).filter((d) => d.kind === 'target');
    expect(targets.map((d) => [d.strength, d.alpha])).toEqual([
      ['β 1', 3],
      ['β 0.1', 0.6000000001],
    ]);
    expect(JSON.stringify(spec)).toContain('"strokeDash":[6,4]');
    // Every seed's every epoch, and a mean per setting and epoch.
    expect(rows(spec).filter((d) => d.kind === 'seed')).toHaveLength(10);
    expect(rows(spec).filter((d) => d.kind === 'mean')).toHaveLength(6);
  });

  it('rendered: one name per accuracy, epsilon with its units, no baseline with a target, no long numbers', async () => {
    const all = await Promise.all([accuracyFigure(runs, 0.05), alphaFigure(runs), curvesFigure(runs), spectrumFigure(runs)].map(svg));
    const [accuracy, alpha, curves, spectrum] = all.map(texts) as [string[], string[], string[], string[]];
    expect(accuracy).toContain('test accuracy (500 images)');
    expect(accuracy).toContain('accuracy on 100 attacked images');
    expect(accuracy.join(' ')).not.toMatch(/validation/);
    expect(accuracy.some((t) => t.includes('ε is the L∞ radius on the pixel scale [0, 1]'))).toBe(true);
    expect(curves).toContain('ε (L∞ radius, pixel scale [0, 1])');
    for (const text of all.flatMap(texts)) {
      expect(text).not.toMatch(/baseline.*target|target.*baseline/);
      expect(text).not.toMatch(/\d\.\d{4,}/);
    }
    for (const legend of [alpha, curves, spectrum]) expect(legend).toEqual(expect.arrayContaining(['baseline', 'target α 0.6', 'target α 3']));
    expect(accuracy).toEqual(expect.arrayContaining(['baseline (β 0)', 'β 0.1', 'β 1']));
  });

  it('an axis whose values all coincide gets short tick labels', async () => {
    const same = [fakeRun(0, { alpha: 1.13226391701 }), fakeRun(1, { alpha: 1.13226391701 })];
    for (const text of texts(await svg(accuracyFigure(same, 0.05)))) expect(text).not.toMatch(/\d\.\d{4,}/);
  });
});

describe('figures and run files are written atomically', () => {
  it('a link where a figure goes is replaced, its target left alone, and no temp file stays', async () => {
    const root = mkdtempSync(join(tmpdir(), 'figures-atomic-'));
    try {
      const out = join(root, 'figures');
      mkdirSync(out);
      const outside = join(root, 'outside.svg');
      writeFileSync(outside, 'keep me');
      symlinkSync(outside, join(out, 'spectrum-fit.svg'));
      const written = await writeFigures([fakeRun(1), fakeRun(0)], out, 0.05);
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
