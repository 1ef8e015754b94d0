/**
 * YAML for the compose and Kubernetes sources: parsing with positions, safe against hostile input, and
 * scalar values mapped back to the file's offsets (so that findings and `--fix` edits land on the right
 * character without ever re-serializing the YAML: comments and layout stay as written).
 *
 * Safety: the `yaml` package parses to an AST with source ranges; aliases are resolved lazily, one at a
 * time, only along the paths a source reads, and every document has a budget of alias resolutions (a
 * "billion laughs" file costs at most that budget, never its expansion). toJS() is never called.
 */
import { createRequire } from 'node:module';
import type * as YamlLib from 'yaml';
import type { Alias, Document as YDocument, Node as YNode, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { MappedText } from '../document/text.js';
import type { Document, FileError, Span } from '../document/document.js';

export type { YNode };

let lib: typeof YamlLib | undefined;

/** The yaml package, loaded on first use: a tree of Dockerfiles only never parses YAML (its load costs start-up). */
function yaml(): typeof YamlLib {
  lib ??= createRequire(import.meta.url)('yaml') as typeof YamlLib;
  return lib;
}

// yaml's node tests. Before the package is loaded no YAML node exists (only parseYamlStream makes them): false.
export const isMap = (n: unknown): n is YAMLMap => lib?.isMap(n) === true;
export const isSeq = (n: unknown): n is YAMLSeq => lib?.isSeq(n) === true;
export const isScalar = (n: unknown): n is Scalar => lib?.isScalar(n) === true;
const isPair = (n: unknown): n is Pair => lib?.isPair(n) === true;
const isAlias = (n: unknown): n is Alias => lib?.isAlias(n) === true;

/** Alias resolutions one document may perform before it is given up as a bomb. */
export const MAX_ALIAS_RESOLUTIONS = 10_000;
/** Documents deeper than this are not read (a pod spec is ~10 levels deep). */
const MAX_DEPTH = 64;

export class YamlLimitError extends Error {
  override name = 'YamlLimitError';
}

/** One `---` document of a YAML stream. */
export interface YamlDoc {
  /** 0-based index in the stream. */
  index: number;
  /** The file it is in. */
  file: Document;
  ydoc: YDocument.Parsed;
  root: YNode | null;
  /** Offsets of the whole document in the file. */
  start: number;
  end: number;
  /** Helm's `# Source: chart/templates/x.yaml` comment before the document, if any. */
  helmSource?: string;
  /** Not parsed: what the caller's test said of it (e.g. its kind). Its root is null. */
  unread?: string;
  /** Alias resolutions left. */
  budget: { aliases: number };
  /** Anchors by name, in document order (built on the first alias). */
  anchors?: Map<string, { start: number; node: YNode }[]>;
}

/**
 * The node an alias refers to: the latest anchor of that name before it. (yaml's Alias.resolve searches
 * the whole document on every call, which is quadratic in a file full of aliases.)
 */
function anchorFor(d: YamlDoc, a: Alias): YNode | undefined {
  if (!d.anchors) {
    const m = new Map<string, { start: number; node: YNode }[]>();
    yaml().visit(d.ydoc, {
      Node(_k, n) {
        const name = (n as { anchor?: string }).anchor;
        if (name && !isAlias(n)) {
          const list = m.get(name) ?? [];
          list.push({ start: (n as YNode).range?.[0] ?? 0, node: n as YNode });
          m.set(name, list);
        }
      },
    });
    d.anchors = m;
  }
  const at = a.range?.[0] ?? Number.MAX_SAFE_INTEGER;
  let found: YNode | undefined;
  for (const c of d.anchors.get(a.source) ?? []) if (c.start < at) found = c.node;
  return found;
}

interface YamlStream {
  docs: YamlDoc[];
  errors: FileError[];
}

/** Per document, its parse for each `unread` test (a reader that blanks nothing gets a parse of its own). */
const parsedStreams = new WeakMap<Document, Map<Unread | undefined, YamlStream>>();

type Unread = (raw: string) => string | undefined;

/**
 * Parse every document of a YAML stream; syntax errors become per-file errors (the first one per document).
 * `unread`: a cheap test on a document's raw text (from its `---` to the next) for documents the caller will
 * never look into (a CRD's megabyte of schema). Those are blanked before the parse (their characters become
 * spaces, line breaks stay, so every offset is kept) and come back as empty documents marked `unread`; their
 * syntax is not checked. Each file is parsed once per `unread` test, whichever reader (the lint, the folder's
 * ConfigMaps, the image linker's build files) comes first.
 */
export function parseYamlStream(file: Document, unread?: Unread): YamlStream {
  let byTest = parsedStreams.get(file);
  if (!byTest) {
    byTest = new Map();
    parsedStreams.set(file, byTest);
  }
  let s = byTest.get(unread);
  if (!s) {
    s = parseStream(file, unread);
    byTest.set(unread, s);
  }
  return s;
}

/** A document marker line (`---`, possibly followed by content) or an end marker (`...`). */
const DOCUMENT_MARKER = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/gm;

/**
 * The text with the documents `unread` names blanked, and the blanked spans with what it said of each. A
 * marker at column 0 always starts a document: inside a block scalar content is indented, and the marker is
 * forbidden inside a quoted scalar (YAML 1.2, 9.1.4), so splitting on it needs no parse.
 */
/** The same number of characters as one comment line: the lexer passes it in one step (a blank line costs it ~2 us). */
function asComment(rest: string): string {
  return rest.length < 3 ? rest.replace(/[^\r\n]/g, ' ') : `\n#${' '.repeat(rest.length - 3)}\n`;
}

function blankUnread(text: string, unread: Unread): { text: string; spans: { start: number; end: number; why: string }[] } | undefined {
  const spans: { start: number; end: number; why: string }[] = [];
  const cuts: number[] = [0];
  for (const m of text.matchAll(DOCUMENT_MARKER)) if (m[0] === '---' && m.index > 0) cuts.push(m.index);
  cuts.push(text.length);
  const parts: string[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const start = cuts[i] as number;
    const end = cuts[i + 1] as number;
    const raw = text.slice(start, end);
    const why = unread(raw);
    if (why === undefined) {
      parts.push(raw);
      continue;
    }
    spans.push({ start, end, why });
    const eol = raw.indexOf('\n');
    const marker = raw.startsWith('---') ? (eol < 0 ? raw.length : eol) : 0;
    // a first document without `---` becomes `~` (a null document): a comment alone would be no document
    parts.push(marker ? raw.slice(0, marker) + asComment(raw.slice(marker)) : `~${asComment(raw.slice(1))}`);
  }
  return spans.length ? { text: parts.join(''), spans } : undefined;
}

/** Where an offset of a parsed YAML file is: its document and the path of the node there. */
export function locateInYaml(file: Document, offset: number): { document: number; documents: number; helmSource?: string; path: string } | undefined {
  // the first parse of the file: the one its own source made
  const s = parsedStreams.get(file)?.values().next().value;
  if (!s) return undefined;
  const d = s.docs.find((x) => offset >= x.start && offset < x.end) ?? s.docs[s.docs.length - 1];
  if (!d) return undefined;
  return { document: d.index, documents: s.docs.length, ...(d.helmSource ? { helmSource: d.helmSource } : {}), path: joinPath(yamlPathAt(d, offset)) };
}

/**
 * yaml 2.x looks up process.env.LOG_TOKENS for every token and LOG_STREAM for every document (its debug
 * switches; 3.0 reads them once at load), and each process.env lookup goes to the C++ side: measured, a third of
 * a parse. While the (synchronous) parse runs, a plain object with those two switches stands in for process.env.
 */
function withPlainEnv<T>(parse: () => T): T {
  const env = process.env;
  process.env = { LOG_TOKENS: env.LOG_TOKENS, LOG_STREAM: env.LOG_STREAM };
  try {
    return parse();
  } finally {
    process.env = env;
  }
}

function parseAll(text: string): YDocument.Parsed[] {
  // merge: `<<: *base` keys (YAML 1.1) are used by compose files and honoured by Kubernetes' parser.
  const parsed = withPlainEnv(() => yaml().parseAllDocuments(text, { merge: true, uniqueKeys: false, prettyErrors: false, strict: false })) as YDocument.Parsed[];
  return Array.isArray(parsed) ? parsed : [parsed as unknown as YDocument.Parsed];
}

/** Errors of a flow collection whose closing line is not indented past its key (`args: ["` ... `"]`). */
const FLOW_INDENT_CODES = new Set(['MISSING_CHAR', 'BAD_INDENT', 'MULTILINE_IMPLICIT_KEY']);

/**
 * Go's YAML decoder (go-yaml, which kubectl, Argo and compose use) accepts a multi-line flow collection whose
 * closing `"]` or `]` is at the indentation of its key; the `yaml` package requires more. Join such closing
 * lines to the line before (the line break becomes a space: same length, so every offset stays where it is)
 * and parse again; the closer's line break only ever folded into a space.
 */
function relaxFlowClosers(text: string): string | undefined {
  let changed = false;
  const out = text.replace(/(\r?\n)(?=[ \t]*["']?[\]}][ \t]*,?[ \t]*(?:#.*)?(?:\r?\n|$))/g, (nl: string) => {
    changed = true;
    return ' '.repeat(nl.length);
  });
  return changed ? out : undefined;
}

function parseStream(file: Document, unread?: Unread): YamlStream {
  const errors: FileError[] = [];
  const docs: YamlDoc[] = [];
  let parsed: YDocument.Parsed[];
  const blanked = unread ? blankUnread(file.text, unread) : undefined;
  const text = blanked?.text ?? file.text;
  try {
    parsed = parseAll(text);
    if (parsed.some((d) => d.errors[0] !== undefined && FLOW_INDENT_CODES.has(d.errors[0].code))) {
      const relaxed = relaxFlowClosers(text);
      const again = relaxed !== undefined ? parseAll(relaxed) : undefined;
      // take a document from the relaxed parse only where it now parses cleanly and sits at the same place
      if (again && again.length === parsed.length) {
        parsed = parsed.map((d, i) => {
          const r = again[i] as YDocument.Parsed;
          return d.errors.length && !r.errors.length && r.range[0] === d.range[0] ? r : d;
        });
      }
    }
  } catch (err) {
    // The parser recurses over nesting: a pathologically deep file overflows the stack.
    errors.push({ file: file.file, line: 1, column: 1, message: `cannot parse YAML: ${err instanceof RangeError ? 'nesting too deep' : (err as Error).message}` });
    return { docs, errors };
  }
  parsed.forEach((ydoc, index) => {
    const at = ydoc.range[0];
    const why = blanked?.spans.find((b) => at >= b.start && at < b.end)?.why;
    if (why !== undefined) {
      docs.push({ index, file, ydoc, root: null, start: ydoc.range[0], end: ydoc.range[2], unread: why, budget: { aliases: MAX_ALIAS_RESOLUTIONS } });
      return;
    }
    const first = ydoc.errors[0];
    if (first) {
      const at = file.lines.position(first.pos[0]);
      errors.push({ file: file.file, line: at.line, column: at.column, message: `YAML syntax error${parsed.length > 1 ? ` in document ${index + 1}` : ''}: ${first.message.split('\n')[0]}` });
      return;
    }
    const [start, , end] = ydoc.range;
    const contentsStart = ydoc.contents?.range?.[0] ?? end;
    const m = /^#\s*Source:\s*(\S.*)$/m.exec(file.text.slice(start, contentsStart));
    docs.push({ index, file, ydoc, root: ydoc.contents as YNode | null, start, end, ...(m?.[1] ? { helmSource: m[1].trim() } : {}), budget: { aliases: MAX_ALIAS_RESOLUTIONS } });
  });
  return { docs, errors };
}

/** Follow an alias to its anchored node, charging the document's budget. */
export function deref(d: YamlDoc, n: YNode | null | undefined, depth = 0): YNode | undefined {
  let cur: unknown = n;
  let hops = 0;
  while (isAlias(cur)) {
    if (--d.budget.aliases < 0) throw new YamlLimitError(`more than ${MAX_ALIAS_RESOLUTIONS} alias resolutions: not read (a YAML alias bomb?)`);
    if (++hops > 64 || depth > MAX_DEPTH) throw new YamlLimitError('aliases nested too deeply');
    cur = anchorFor(d, cur as Alias);
  }
  return (cur ?? undefined) as YNode | undefined;
}

/** A key/value pair found in a map (possibly through a `<<` merge). */
export interface Entry {
  key: Scalar;
  value: YNode | undefined;
  pair: Pair;
}

function keyText(n: unknown): string | undefined {
  if (!isScalar(n)) return undefined;
  // with `merge: true` the parser turns a plain `<<` key into a symbol
  return typeof n.value === 'symbol' ? ((n as Scalar & { source?: string }).source ?? '<<') : String(n.value);
}

/** The entries of a mapping, with `<<: *anchor` merges applied (own keys win; earlier merges win). */
export function entries(d: YamlDoc, node: YNode | null | undefined, depth = 0): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const m = deref(d, node, depth);
  if (!isMap(m) || depth > MAX_DEPTH) return out;
  const merges: YNode[] = [];
  for (const item of (m as YAMLMap).items) {
    if (!isPair(item)) continue;
    const k = keyText(item.key);
    if (k === undefined) continue;
    if (k === '<<' && isScalar(item.key) && (item.key as Scalar).type === 'PLAIN') {
      const v = deref(d, item.value as YNode, depth);
      if (isSeq(v)) for (const s of (v as YAMLSeq).items) merges.push(s as YNode);
      else if (v) merges.push(v);
      continue;
    }
    // a duplicate key: the last one wins, as in Go's YAML decoders used by compose and kubectl
    out.set(k, { key: item.key as Scalar, value: (item.value ?? undefined) as YNode | undefined, pair: item as Pair });
  }
  for (const src of merges) {
    for (const [k, e] of entries(d, src, depth + 1)) if (!out.has(k)) out.set(k, e);
  }
  return out;
}

export function get(d: YamlDoc, node: YNode | null | undefined, key: string): Entry | undefined {
  return entries(d, node).get(key);
}

/** The items of a sequence (aliases resolved); undefined when the node is not a sequence. */
export function items(d: YamlDoc, node: YNode | null | undefined): YNode[] | undefined {
  const s = deref(d, node);
  if (!isSeq(s)) return undefined;
  return (s as YAMLSeq).items.map((i) => deref(d, i as YNode) as YNode);
}

export function isMapping(d: YamlDoc, node: YNode | null | undefined): boolean {
  return isMap(deref(d, node));
}

/** A scalar's value as a string (numbers and booleans as written); undefined for collections and null. */
export function scalarString(d: YamlDoc, node: YNode | null | undefined): string | undefined {
  const s = deref(d, node);
  if (!isScalar(s) || s.value === null || s.value === undefined) return undefined;
  if (typeof s.value === 'string') return s.value;
  return (s as Scalar & { source?: string }).source ?? String(s.value);
}

export function scalarNode(d: YamlDoc, node: YNode | null | undefined): Scalar | undefined {
  const s = deref(d, node);
  return isScalar(s) ? s : undefined;
}

export function spanOf(doc: Document, node: YNode | Pair | null | undefined, fallback?: Span): Span {
  if (isPair(node)) {
    const k = node.key as YNode | null;
    const v = node.value as YNode | null;
    const start = k?.range?.[0] ?? v?.range?.[0];
    const end = v?.range?.[1] ?? k?.range?.[1];
    if (start !== undefined && end !== undefined) return { doc, start, end };
  } else if (node && (node as YNode).range) {
    const r = (node as YNode).range as [number, number, number];
    return { doc, start: r[0], end: r[1] };
  }
  return fallback ?? { doc, start: 0, end: 0 };
}

/** A scalar's logical value mapped to document offsets; `exact` when every character maps to where it is written. */
interface MappedScalar {
  text: MappedText;
  exact: boolean;
  style: Scalar['type'];
}

/**
 * Decode a string scalar with a per-character map back to the source. Handles plain (folded over lines),
 * single- and double-quoted (escapes, folding) and block (literal/folded, chomping) scalars; the result
 * is checked against the parser's own value, and a mismatch falls back to an inexact map (positions
 * near the value, never used for edits).
 */
export function mapScalar(doc: Document, node: Scalar): MappedScalar {
  const value = typeof node.value === 'string' ? node.value : ((node as Scalar & { source?: string }).source ?? String(node.value));
  const r = node.range as [number, number, number] | undefined;
  const style = node.type;
  if (!r) return { text: MappedText.contiguous(value, 0), exact: false, style };
  const src = doc.text.slice(r[0], r[1]);
  let decoded: { value: string; offsets: number[] } | undefined;
  try {
    switch (style) {
      case 'PLAIN':
        decoded = foldFlow(src, 0, src.length, false);
        break;
      case 'QUOTE_SINGLE':
        decoded = src.length >= 2 ? foldFlow(src, 1, src.length - 1, 'single') : undefined;
        break;
      case 'QUOTE_DOUBLE':
        decoded = src.length >= 2 ? foldFlow(src, 1, src.length - 1, 'double') : undefined;
        break;
      case 'BLOCK_LITERAL':
      case 'BLOCK_FOLDED':
        decoded = decodeBlock(src, style === 'BLOCK_FOLDED', doc.text, r[0]);
        break;
      default:
        decoded = undefined;
    }
  } catch {
    decoded = undefined;
  }
  if (decoded && decoded.value === value) {
    return {
      text: MappedText.fromOffsets(
        value,
        decoded.offsets.map((o) => o + r[0]),
        r[1],
      ),
      exact: true,
      style,
    };
  }
  const start = style === 'QUOTE_DOUBLE' || style === 'QUOTE_SINGLE' ? r[0] + 1 : r[0];
  return { text: new MappedText(value, [[0, start, 0]]), exact: false, style };
}

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';

/**
 * Flow scalars (plain and quoted) fold line breaks: a single break becomes a space, n+1 breaks become
 * n newlines; whitespace around a break is dropped. Quoted strings have escapes (double) or '' (single).
 */
function foldFlow(src: string, from: number, to: number, quote: false | 'single' | 'double'): { value: string; offsets: number[] } {
  let value = '';
  const offsets: number[] = [];
  let i = from;
  let pendingSpace: { text: string; at: number[] } | undefined;
  const push = (s: string, at: number): void => {
    if (pendingSpace) {
      value += pendingSpace.text;
      offsets.push(...pendingSpace.at);
      pendingSpace = undefined;
    }
    value += s;
    for (let k = 0; k < s.length; k++) offsets.push(at);
  };
  while (i < to) {
    const c = src[i] as string;
    if (c === '\n' || c === '\r') {
      // drop trailing blanks already pushed
      while (value.length && isBlank(value[value.length - 1]) && offsets.length && !pendingSpace) {
        const last = offsets[offsets.length - 1] as number;
        if (!isBlank(src[last])) break;
        value = value.slice(0, -1);
        offsets.pop();
      }
      let breaks = 0;
      const breakAt = i;
      while (i < to && (src[i] === '\n' || src[i] === '\r' || isBlank(src[i]))) {
        if (src[i] === '\n') breaks++;
        i++;
      }
      const text = breaks <= 1 ? ' ' : '\n'.repeat(breaks - 1);
      pendingSpace = { text, at: Array.from({ length: text.length }, () => breakAt) };
      continue;
    }
    if (quote === 'single' && c === "'" && src[i + 1] === "'") {
      push("'", i);
      i += 2;
      continue;
    }
    if (quote === 'double' && c === '\\') {
      const e = src[i + 1];
      if (e === '\n' || e === '\r') {
        // escaped line break: joins the lines without a space
        i += 2;
        if (e === '\r' && src[i] === '\n') i++;
        while (i < to && isBlank(src[i])) i++;
        continue;
      }
      const simple: Record<string, string> = {
        '0': '\0',
        a: '\x07',
        b: '\b',
        t: '\t',
        '\t': '\t',
        n: '\n',
        v: '\v',
        f: '\f',
        r: '\r',
        e: '\x1b',
        ' ': ' ',
        '"': '"',
        '/': '/',
        '\\': '\\',
        N: '\u0085',
        _: '\u00a0',
        L: '\u2028',
        P: '\u2029',
      };
      if (e !== undefined && simple[e] !== undefined) {
        push(simple[e] as string, i);
        i += 2;
        continue;
      }
      const len = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      if (len) {
        const hex = src.slice(i + 2, i + 2 + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw new Error('bad escape');
        push(String.fromCodePoint(parseInt(hex, 16)), i);
        i += 2 + len;
        continue;
      }
      throw new Error('bad escape');
    }
    if (value === '' && !pendingSpace && quote === false && isBlank(c)) {
      i++;
      continue;
    }
    push(c, i);
    i++;
  }
  if (pendingSpace && quote !== false) {
    value += pendingSpace.text;
    offsets.push(...pendingSpace.at);
  }
  if (quote === false) {
    while (value.length && isBlank(value[value.length - 1])) {
      value = value.slice(0, -1);
      offsets.pop();
    }
  }
  return { value, offsets };
}

/** Block scalars: `|` keeps line breaks, `>` folds them; chomping `-` strips, `+` keeps, default clips. */
function decodeBlock(src: string, folded: boolean, whole: string, base: number): { value: string; offsets: number[] } {
  const nl = src.indexOf('\n');
  if (nl < 0) return { value: '', offsets: [] };
  const header = src
    .slice(0, nl)
    .replace(/\s+#.*$/, '')
    .trim();
  const chomp = header.includes('-') ? 'strip' : header.includes('+') ? 'keep' : 'clip';
  const explicit = /[1-9]/.exec(header);
  // the indentation of the node's parent: columns of the line the header is on
  const lineStart = whole.lastIndexOf('\n', base - 1) + 1;
  const parentIndent = /^ */.exec(whole.slice(lineStart, base))?.[0].length ?? 0;
  const lines: { start: number; text: string }[] = [];
  let p = nl + 1;
  while (p <= src.length) {
    const e = src.indexOf('\n', p);
    const end = e < 0 ? src.length : e;
    if (e < 0 && p === src.length) break;
    lines.push({ start: p, text: src.slice(p, end).replace(/\r$/, '') });
    if (e < 0) break;
    p = e + 1;
  }
  let indent: number;
  if (explicit) indent = parentIndent + Number(explicit[0]);
  else {
    const first = lines.find((l) => l.text.trim() !== '');
    indent = first ? (/^ */.exec(first.text)?.[0].length ?? 0) : 0;
  }
  let value = '';
  const offsets: number[] = [];
  const add = (s: string, at: number, perChar = false): void => {
    value += s;
    for (let k = 0; k < s.length; k++) offsets.push(perChar ? at + k : at);
  };
  // content lines: text after the indentation; an empty line is a line break
  const content = lines.map((l) => ({ start: l.start + Math.min(indent, l.text.length), text: l.text.length >= indent ? l.text.slice(indent) : '', end: l.start + l.text.length }));
  let lastNonEmpty = -1;
  content.forEach((l, i) => {
    if (l.text !== '') lastNonEmpty = i;
  });
  const body = content.slice(0, lastNonEmpty + 1);
  const trailing = content.slice(lastNonEmpty + 1);
  let prev: { text: string; end: number } | undefined;
  let empties: number[] = [];
  for (const l of body) {
    if (l.text === '') {
      empties.push(l.end);
      continue;
    }
    if (prev) {
      const more = isBlank(l.text[0]) || isBlank(prev.text[0]);
      if (!folded || more) add('\n'.repeat(empties.length + 1), prev.end);
      else if (empties.length === 0) add(' ', prev.end);
      else for (const e of empties) add('\n', e);
    } else {
      for (const e of empties) add('\n', e);
    }
    empties = [];
    add(l.text, l.start, true);
    prev = l;
  }
  if (body.length && chomp !== 'strip') {
    const lastLine = body[body.length - 1] as { end: number };
    add('\n', lastLine.end);
    if (chomp === 'keep') for (const t of trailing) add('\n', t.end);
  }
  return { value, offsets };
}

/** A path for messages: `spec.template.spec.containers[0].command`. */
export function joinPath(parts: readonly (string | number)[]): string {
  let s = '';
  for (const p of parts) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s;
}

/** The path of the deepest node at `offset` in a document: `spec.template.spec.containers[0].command[2]`. */
function yamlPathAt(d: YamlDoc, offset: number): (string | number)[] {
  const out: (string | number)[] = [];
  let cur: unknown = d.root;
  for (let depth = 0; depth < MAX_DEPTH && cur; depth++) {
    if (isMap(cur)) {
      const hit = (cur as YAMLMap).items.find((p) => {
        const k = (p.key as YNode | null)?.range;
        const v = (p.value as YNode | null)?.range;
        const a = k?.[0] ?? v?.[0];
        const b = v?.[2] ?? v?.[1] ?? k?.[1];
        return a !== undefined && b !== undefined && offset >= a && offset < b;
      });
      if (!hit) break;
      out.push(keyText(hit.key) ?? '?');
      cur = hit.value;
    } else if (isSeq(cur)) {
      const list = (cur as YAMLSeq).items;
      const i = list.findIndex((it) => {
        const r = (it as YNode | null)?.range;
        return r != null && offset >= r[0] && offset < (r[2] ?? r[1]);
      });
      if (i < 0) break;
      out.push(i);
      cur = list[i];
    } else break;
  }
  return out;
}
