/**
 * CITATION.cff stays valid CFF 1.2.0 in the ways a line-based reading can
 * check (no YAML parser is a dependency): its required keys, the package's
 * version and licence, and the three papers with their links, which the
 * README and docs/reproduction.md list too.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const cff = read('CITATION.cff');
const lines = cff.split('\n');

/** Top-level keys and their inline values ('' for a block or a list). */
const topLevel = new Map(
  lines.flatMap((line) => {
    const match = /^([a-z][a-z-]*):(?: (.*))?$/.exec(line);
    return match ? [[match[1] as string, (match[2] ?? '').replace(/^"(.*)"$/, '$1')] as const] : [];
  }),
);

/** The entries of the top-level list `key`: each its own lines, from "  - " to the next entry or key. */
function entries(key: string): string[][] {
  const start = lines.indexOf(`${key}:`);
  const end = lines.findIndex((line, i) => i > start && /^[a-z]/.test(line));
  const block = lines.slice(start + 1, end === -1 ? undefined : end);
  const found: string[][] = [];
  for (const line of block) {
    if (line.startsWith('  - ')) found.push([line]);
    else found.at(-1)?.push(line);
  }
  return found;
}

const PAPERS = [
  { title: 'Different spectral representations in optimized artificial neural networks and brains', url: 'https://arxiv.org/abs/2208.10576', year: '2022' },
  { title: 'On 1/n neural representation and robustness', url: 'https://arxiv.org/abs/2012.04729', year: '2020' },
  { title: 'High-dimensional geometry of population responses in visual cortex', url: 'https://doi.org/10.1038/s41586-019-1346-5', year: '2019' },
];

describe('CITATION.cff', () => {
  it('has the keys CFF 1.2.0 requires, the licence and the version of package.json', () => {
    const pkg = JSON.parse(read('package.json')) as { version: string; license: string };
    expect(lines[0]).toBe('cff-version: 1.2.0');
    for (const key of ['cff-version', 'message', 'title', 'authors', 'license', 'version', 'references']) expect(topLevel.has(key), key).toBe(true);
    expect(topLevel.get('license')).toBe(pkg.license);
    expect(topLevel.get('version')).toBe(pkg.version);
    expect(topLevel.get('title')).toMatch(/^spectral-reg/);
    expect(entries('authors').length).toBeGreaterThan(0);
  });

  it('is plain block YAML: no tabs, indents in steps of two, every key followed by a space or a block', () => {
    for (const line of lines) {
      expect(line).not.toMatch(/\t/);
      expect((/^ */.exec(line)?.[0].length ?? 0) % 2).toBe(0);
      if (/^\s*(- )?[a-z][a-z-]*:/.test(line)) expect(line).toMatch(/^\s*(- )?[a-z][a-z-]*:( .+)?$/);
    }
  });

  it('references the paper, Nassar et al. and Stringer et al., each with authors, year and link', () => {
    const references = entries('references');
    expect(references).toHaveLength(PAPERS.length);
    for (const [i, paper] of PAPERS.entries()) {
      const entry = references[i]!.join('\n');
      expect(entry).toContain(`title: "${paper.title}"`);
      expect(entry).toContain(`year: ${paper.year}`);
      expect(entry).toContain(`url: "${paper.url}"`);
      expect(entry).toMatch(/^ {4}authors:\n( {6}- family-names: .+\n {8}given-names: .+\n?)+/m);
    }
  });

  it('the README and the reproduction notes list the same papers with their links', () => {
    for (const doc of ['README.md', 'docs/reproduction.md']) {
      const text = read(doc).replace(/\s+/g, ' ');
      expect(text, doc).toContain('## References');
      for (const paper of PAPERS) {
        expect(text, doc).toContain(paper.title);
        expect(text, doc).toContain(`<${paper.url}>`);
      }
    }
  });
});
