import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A fresh clone has no dist/ (it is git-ignored): `npm pack` and `npm publish`
// must build it first. The clone is the files git would commit (tracked, and
// untracked but not ignored) copied from the working tree, with this
// repository's node_modules linked in.
const root = resolve(__dirname, '../..');
let clone: string;

beforeAll(() => {
  clone = mkdtempSync(join(tmpdir(), 'spectral-reg-clone-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\0');
  for (const file of files) {
    // Deleted in the working tree but still in the index: a commit would not have it either.
    if (file === '' || file === 'node_modules' || !existsSync(join(root, file))) continue;
    mkdirSync(dirname(join(clone, file)), { recursive: true });
    copyFileSync(join(root, file), join(clone, file));
  }
  symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'));
});

afterAll(() => rmSync(clone, { recursive: true, force: true }));

/** Every file the exports map names, e.g. dist/node.d.cts. */
function exportedFiles(exports: unknown): string[] {
  if (typeof exports === 'string') return exports.startsWith('./dist/') ? [exports.slice(2)] : [];
  return Object.values(exports as Record<string, unknown>).flatMap(exportedFiles);
}

describe('npm pack from a fresh clone', () => {
  it('builds dist first (prepack), so the tarball holds every file the exports map names', () => {
    expect(existsSync(join(clone, 'dist'))).toBe(false);
    const out = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: clone, encoding: 'utf8' });
    // Whatever a lifecycle script prints comes before the JSON report.
    const [report] = JSON.parse(out.slice(out.indexOf('[\n'))) as Array<{ files: Array<{ path: string }> }>;
    const packed = report!.files.map((f) => f.path);
    const pkg = JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8')) as { exports: unknown; main: string; module: string; types: string };
    const expected = [...exportedFiles(pkg.exports), ...[pkg.main, pkg.module, pkg.types].map((p) => p.replace(/^\.\//, '')), 'dist/attackWorker.js', 'dist/attackWorker.cjs'];
    expect(expected).toContain('dist/node.d.cts');
    expect(packed).toEqual(expect.arrayContaining(expected));
    expect(packed.filter((p) => !p.startsWith('dist/')).sort()).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json']);
  }, 300_000);
});
