/**
 * A fresh project holding the packed tarball of this repository (built dist/,
 * packed with --ignore-scripts so that prepack does not rebuild dist/ under
 * other test files) and the named packages, linked from this repository's
 * node_modules: what `npm install` of those packages gives, with no network.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const root = resolve(__dirname, '../..');

/** Makes the project in a new temporary directory and returns its path; the caller removes it. */
export function packedProject(packages: readonly string[]): string {
  const project = mkdtempSync(join(tmpdir(), 'spectral-reg-project-'));
  const packed = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', project], { cwd: root, encoding: 'utf8' }).trim().split('\n').at(-1) as string;
  const modules = join(project, 'node_modules');
  mkdirSync(join(modules, 'spectral-reg'), { recursive: true });
  execFileSync('tar', ['-xzf', join(project, packed), '-C', join(modules, 'spectral-reg'), '--strip-components=1']);
  for (const name of packages.filter((p) => p !== 'spectral-reg')) {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(root, 'node_modules', name), join(modules, name));
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'fresh-project', private: true, type: 'module' }));
  return project;
}

/** The code blocks of a markdown file in `lang` (```lang), in order. */
export function codeBlocks(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp(`\\n\`\`\`${lang}\\n([\\s\\S]*?)\\n\`\`\`\\n`, 'g'))].map((m) => m[1] as string);
}

/** The packages of every `npm install ...` line of a markdown file's sh blocks. */
export function installedPackages(markdown: string): string[] {
  return codeBlocks(markdown, 'sh').flatMap((block) => [...block.matchAll(/^npm install ([^#\n]+)/gm)].flatMap((m) => (m[1] as string).trim().split(/\s+/)));
}

export const readDoc = (path: string) => readFileSync(join(root, path), 'utf8');
