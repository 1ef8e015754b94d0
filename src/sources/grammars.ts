/**
 * Tree-sitter grammars for program sources (Python, JavaScript, Go), loaded from the .wasm files the
 * npm packages ship (tree-sitter-python/javascript/go 0.25, ABI 15, which web-tree-sitter 0.25 loads),
 * so no native build is needed. Each grammar is loaded on first use only: a lint run that never meets a
 * Python file never pays for the Python grammar.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';
import { loadShellParser } from '../model/shell.js';
import type { SourceLanguage } from '../model/catalogue.js';

const PACKAGES: Record<SourceLanguage, string> = {
  python: 'tree-sitter-python',
  javascript: 'tree-sitter-javascript',
  go: 'tree-sitter-go',
};

const loading = new Map<SourceLanguage, Promise<Parser>>();

/** A parser for the language, loading its grammar on first use. */
export function grammarParser(language: SourceLanguage): Promise<Parser> {
  let p = loading.get(language);
  if (!p) {
    p = load(language);
    loading.set(language, p);
    // A failed load (missing package) may be retried by a later call.
    p.catch(() => loading.delete(language));
  }
  return p;
}

async function load(language: SourceLanguage): Promise<Parser> {
  // web-tree-sitter's Parser.init() is not idempotent (a second call replaces the wasm module that
  // parsers already made depend on), and the shell model owns that call: let it run it, once.
  await loadShellParser();
  const require = createRequire(import.meta.url);
  const pkg = PACKAGES[language];
  const wasm = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), `${pkg}.wasm`);
  const lang = await Language.load(wasm);
  const parser = new Parser();
  parser.setLanguage(lang);
  return parser;
}
