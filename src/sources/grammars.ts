/**
 * Tree-sitter grammars for program sources (Python, JavaScript, Go), loaded from the .wasm files the
 * npm packages ship (tree-sitter-python/javascript/go 0.25, ABI 15, which web-tree-sitter 0.25 loads),
 * so no native build is needed. Each grammar is loaded on first use only: a lint run that never meets a
 * Python file never pays for the Python grammar.
 */
import { fileURLToPath } from 'node:url';
import { Language, Parser } from '#web-tree-sitter';
import { loadShellParser } from '../model/shell.js';
import type { SourceLanguage } from '../model/catalogue.js';
import { holdingLoop } from '../util/loop-hold.js';

const PACKAGES: Record<SourceLanguage, string> = {
  python: 'tree-sitter-python',
  javascript: 'tree-sitter-javascript',
  go: 'tree-sitter-go',
};

const loading = new Map<SourceLanguage, Promise<Parser>>();
const loaded = new Map<SourceLanguage, Parser>();
/** Grammars a synchronous analysis asked for before they were loaded (lint loads them and runs again). */
const wanted = new Set<SourceLanguage>();

/** The parser for a language if its grammar is already loaded; else undefined, and it is noted as wanted. */
export function loadedParser(language: SourceLanguage): Parser | undefined {
  const p = loaded.get(language);
  if (!p) wanted.add(language);
  return p;
}

/** Load every grammar a synchronous analysis asked for; true when any was loaded. */
export async function loadWantedGrammars(): Promise<boolean> {
  const list = [...wanted].filter((l) => !loaded.has(l));
  wanted.clear();
  await Promise.all(list.map((l) => grammarParser(l)));
  return list.length > 0;
}

/**
 * Every grammar, for a run that lints a tree: each loads in about 3 ms (measured: the wasm compiles lazily),
 * while a grammar first wanted in the middle of a run costs that run a second pass over every file. A grammar
 * that fails to load here is tried again when wanted.
 */
export async function loadAllGrammars(): Promise<void> {
  await Promise.all((Object.keys(PACKAGES) as SourceLanguage[]).map((l) => grammarParser(l).catch(() => undefined)));
}

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
  const pkg = PACKAGES[language];
  // copied beside this module at build time (scripts/copy-wasm.mjs): the package ships only the .wasm
  // (through ../sources/: the same file from the CLI bundle's chunks in dist/src/cli-bundle/)
  const wasm = fileURLToPath(new URL(`../sources/${pkg}.wasm`, import.meta.url));
  const lang = await holdingLoop(() => Language.load(wasm)); // wasm compiled on V8's threads (util/loop-hold.ts)
  const parser = new Parser();
  parser.setLanguage(lang);
  loaded.set(language, parser);
  return parser;
}
