/**
 * Every exported symbol of both entry points has TSDoc with an @example:
 * functions, classes, options interfaces and type aliases alike.
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

function exportsWithoutExample(entry: string): string[] {
  const program = ts.createProgram([entry], {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`cannot read the exports of ${entry}`);
  const exports = checker.getExportsOfModule(moduleSymbol);
  expect(exports.length).toBeGreaterThan(5);
  return exports
    .filter((exported) => {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const documented = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim().length > 0;
      return !documented || !symbol.getJsDocTags(checker).some((tag) => tag.name === 'example');
    })
    .map((exported) => exported.name);
}

describe('TSDoc', () => {
  for (const entry of ['src/index.ts', 'src/node/index.ts', 'src/datasets/index.ts']) {
    it(`every export of ${entry} has TSDoc with an @example`, () => {
      expect(exportsWithoutExample(entry)).toEqual([]);
    });
  }
});
