/**
 * Docker Bake files (`docker buildx bake`): the targets a `docker-bake.hcl` or `docker-bake.json` declares, each with
 * the image tags it builds, its context, Dockerfile, stage and build args (https://docs.docker.com/build/bake/reference/).
 *
 * Hand-written, on purpose: no JavaScript library parses HCL 2 and evaluates it. The one maintained reader
 * (@cdktf/hcl2json, a Go/wasm build of hashicorp/hcl) returns each expression as its source text, so the
 * evaluation would still be ours, and it costs about 190 ms of wasm start per run. Bake uses a small part of
 * HCL: blocks, attributes, string templates, lists, maps, variables, functions of its own and a few of the
 * standard library, conditionals. What this reader cannot evaluate is unknown, never guessed: a tag built
 * from an unknown value keeps that part as a variable (`acme/api:${_}`), which the image linker matches as
 * any text, and a tag it cannot build at all is left out.
 */

/** An evaluated HCL value; UNKNOWN where the file does not settle it (a variable with no default, a function not read). */
type Value = string | number | boolean | null | Value[] | { [k: string]: Value } | typeof UNKNOWN;
const UNKNOWN: unique symbol = Symbol('unknown');
/** The text an unknown part of a string stands as: the image linker reads `${_}` as any text. */
export const HOLE = '${_}';

export interface BakeTarget {
  name: string;
  /** 1-based line of the target's block (of its key in JSON). */
  line: number;
  /** As written, relative to the directory bake runs in. */
  context: string;
  /** As written, relative to the context (`docker buildx bake` resolves it there). */
  dockerfile: string;
  target?: string;
  tags: string[];
  args: Record<string, string>;
  /** Named contexts (`base = "target:base"`): what each `FROM base` builds from. */
  contexts: Record<string, string>;
  /** The Dockerfile is written in the bake file (`dockerfile-inline`), not a file of the repository. */
  inline?: true;
}

/** Whether text looks like a Bake file (a `target` block, or a JSON object with a "target" key). */
export function looksLikeBake(text: string): boolean {
  return /^\s*target\s+"?[\w.-]+"?\s*\{/m.test(text) || /^\s*\{[\s\S]*"target"\s*:\s*\{/.test(text);
}

// ---------------------------------------------------------------------------------------------------
// Tokens

type Tok =
  | { t: 'id'; v: string; line: number }
  | { t: 'num'; v: number; line: number }
  | { t: 'str'; parts: (string | Expr)[]; line: number }
  | { t: 'op'; v: string; line: number }
  | { t: 'nl'; line: number }
  | { t: 'eof'; line: number };

class HclError extends Error {}

const OPS = ['...', '==', '!=', '<=', '>=', '&&', '||', '=>', '{', '}', '[', ']', '(', ')', '=', ',', '.', ':', '?', '!', '<', '>', '+', '-', '*', '/', '%'];

function tokenize(src: string, startLine = 1): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let line = startLine;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === '\n') {
      out.push({ t: 'nl', line });
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      for (let k = i; k < stop; k++) if (src[k] === '\n') line++;
      i = stop;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][\w-]*/.exec(src.slice(i, i + 256)) as RegExpExecArray;
      out.push({ t: 'id', v: m[0], line });
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i, i + 64)) as RegExpExecArray;
      out.push({ t: 'num', v: Number(m[0]), line });
      i += m[0].length;
    } else if (c === '"') {
      const r = readTemplate(src, i + 1, line, '"');
      out.push({ t: 'str', parts: r.parts, line });
      line = r.line;
      i = r.end;
    } else if (c === '<' && src[i + 1] === '<' && /^<<-?[A-Za-z_]\w*\n/.test(src.slice(i, i + 64))) {
      // a heredoc: <<EOT or <<-EOT (the indented form's common indentation is removed)
      const m = /^<<(-?)([A-Za-z_]\w*)\n/.exec(src.slice(i, i + 64)) as RegExpExecArray;
      const bodyStart = i + m[0].length;
      const close = new RegExp(`^[ \\t]*${m[2]}[ \\t]*$`, 'm');
      const rest = src.slice(bodyStart);
      const end = close.exec(rest);
      const body = end ? rest.slice(0, end.index) : rest;
      let lines = body.replace(/\n$/, '').split('\n');
      if (m[1]) {
        const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => (/^[ \t]*/.exec(l) as RegExpExecArray)[0].length));
        lines = lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0));
      }
      const r = readTemplate(`${lines.join('\n')}\n\u0000`, 0, line + 1, '\u0000');
      out.push({ t: 'str', parts: r.parts, line });
      const consumed = m[0].length + (end ? end.index + end[0].length : rest.length);
      for (let k = i; k < i + consumed; k++) if (src[k] === '\n') line++;
      i += consumed;
    } else {
      const op = OPS.find((o) => src.startsWith(o, i));
      if (!op) throw new HclError(`line ${line}: unexpected character ${JSON.stringify(c)}`);
      out.push({ t: 'op', v: op, line });
      i += op.length;
    }
  }
  out.push({ t: 'eof', line });
  return out;
}

/** A quoted template from `start` (after the quote) to its closing `quote`: literal text and `${...}` expressions. */
function readTemplate(src: string, start: number, line: number, quote: string): { parts: (string | Expr)[]; end: number; line: number } {
  const parts: (string | Expr)[] = [];
  let lit = '';
  let i = start;
  while (i < src.length && src[i] !== quote) {
    const c = src[i] as string;
    if (c === '\n') {
      if (quote === '"') throw new HclError(`line ${line}: a quoted string does not end on its line`);
      line++;
      lit += c;
      i++;
    } else if (c === '\\' && quote === '"') {
      const n = src[i + 1] ?? '';
      const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
      if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
        lit += String.fromCharCode(Number.parseInt(src.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        lit += esc[n] ?? n;
        i += 2;
      }
    } else if ((c === '$' || c === '%') && src[i + 1] === c && src[i + 2] === '{') {
      lit += `${c}{`; // `$${` and `%%{` are the literal text
      i += 3;
    } else if ((c === '$' || c === '%') && src[i + 1] === '{') {
      // the interpolation runs to its matching brace; strings inside it may hold braces of their own
      let depth = 1;
      let k = i + 2;
      let inStr = false;
      while (k < src.length && depth > 0) {
        const d = src[k];
        if (inStr) {
          if (d === '\\') k++;
          else if (d === '"') inStr = false;
        } else if (d === '"') inStr = true;
        else if (d === '{') depth++;
        else if (d === '}') depth--;
        k++;
      }
      if (depth > 0) throw new HclError(`line ${line}: an interpolation does not end`);
      if (lit) parts.push(lit);
      lit = '';
      const inner = src.slice(i + 2, k - 1).replace(/^~|~$/g, '');
      // a template directive (%{ if }, %{ for }) is not evaluated: its text is unknown
      parts.push(c === '%' ? { k: 'unknown' } : parseExpression(inner, line));
      for (const ch of src.slice(i, k)) if (ch === '\n') line++;
      i = k;
    } else {
      lit += c;
      i++;
    }
  }
  if (i >= src.length) throw new HclError(`line ${line}: a string does not end`);
  if (lit) parts.push(lit);
  return { parts, end: i + 1, line };
}

// ---------------------------------------------------------------------------------------------------
// Syntax

type Expr =
  | { k: 'lit'; v: Value }
  | { k: 'tpl'; parts: (string | Expr)[] }
  | { k: 'var'; name: string }
  | { k: 'tuple'; items: Expr[] }
  | { k: 'object'; items: [Expr, Expr][] }
  | { k: 'call'; name: string; args: Expr[] }
  | { k: 'get'; of: Expr; key: Expr }
  | { k: 'unary'; op: string; e: Expr }
  | { k: 'bin'; op: string; a: Expr; b: Expr }
  | { k: 'cond'; c: Expr; a: Expr; b: Expr }
  | { k: 'unknown' };

interface Block {
  type: string;
  labels: string[];
  line: number;
  attrs: Map<string, Expr>;
  blocks: Block[];
}

class Parser {
  private i = 0;
  /** Depth of open brackets: inside them a newline is only space. */
  private nest = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok {
    if (this.nest > 0) while (this.toks[this.i]?.t === 'nl') this.i++;
    return this.toks[this.i] as Tok;
  }
  private next(): Tok {
    const t = this.peek();
    this.i++;
    return t;
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === v;
  }
  private expectOp(v: string): void {
    const t = this.next();
    if (t.t !== 'op' || t.v !== v) throw new HclError(`line ${t.line}: expected "${v}"`);
  }

  body(closing: boolean): Block {
    const b: Block = { type: '', labels: [], line: this.peek().line, attrs: new Map(), blocks: [] };
    for (;;) {
      const t = this.peek();
      if (t.t === 'nl') {
        this.i++;
        continue;
      }
      if (t.t === 'eof') {
        if (closing) throw new HclError(`line ${t.line}: a block does not end`);
        return b;
      }
      if (t.t === 'op' && t.v === '}' && closing) {
        this.i++;
        return b;
      }
      if (t.t !== 'id' && t.t !== 'str') throw new HclError(`line ${t.line}: expected an attribute or a block`);
      this.i++;
      const name = t.t === 'id' ? t.v : templateText(t.parts);
      if (this.isOp('=') || this.isOp(':')) {
        this.i++;
        b.attrs.set(name, this.expr());
        const end = this.peek();
        if (end.t === 'nl') this.i++;
        else if (!(end.t === 'eof' || (end.t === 'op' && (end.v === '}' || end.v === ',')))) throw new HclError(`line ${end.line}: expected the end of the line`);
        else if (end.t === 'op' && end.v === ',') this.i++;
        continue;
      }
      const labels: string[] = [];
      for (;;) {
        const l = this.peek();
        if (l.t === 'str') labels.push(templateText(l.parts));
        else if (l.t === 'id') labels.push(l.v);
        else break;
        this.i++;
      }
      this.expectOp('{');
      const inner = this.body(true);
      b.blocks.push({ ...inner, type: name, labels, line: t.line });
    }
  }

  expr(): Expr {
    const c = this.binary(0);
    if (!this.isOp('?')) return c;
    this.i++;
    const a = this.expr();
    this.expectOp(':');
    const b = this.expr();
    return { k: 'cond', c, a, b };
  }

  private static readonly PREC: Record<string, number> = { '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 4, '>': 4, '<=': 4, '>=': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6 };

  private binary(min: number): Expr {
    let a = this.unary();
    for (;;) {
      const t = this.peek();
      const p = t.t === 'op' ? Parser.PREC[t.v] : undefined;
      if (p === undefined || p < min) return a;
      this.i++;
      const b = this.binary(p + 1);
      a = { k: 'bin', op: (t as { v: string }).v, a, b };
    }
  }

  private unary(): Expr {
    if (this.isOp('!') || this.isOp('-')) {
      const op = (this.next() as { v: string }).v;
      return { k: 'unary', op, e: this.unary() };
    }
    return this.postfix(this.primary());
  }

  private postfix(e: Expr): Expr {
    for (;;) {
      if (this.isOp('.')) {
        this.i++;
        const t = this.next();
        if (t.t === 'id') e = { k: 'get', of: e, key: { k: 'lit', v: t.v } };
        else if (t.t === 'num') e = { k: 'get', of: e, key: { k: 'lit', v: t.v } };
        else if (t.t === 'op' && t.v === '*') e = { k: 'unknown' };
        else throw new HclError(`line ${t.line}: expected an attribute name`);
      } else if (this.isOp('[')) {
        this.i++;
        this.nest++;
        // a splat (`list[*]`) is not evaluated
        let key: Expr;
        if (this.isOp('*')) {
          this.i++;
          key = { k: 'unknown' };
        } else key = this.expr();
        this.expectOp(']');
        this.nest--;
        e = key.k === 'unknown' ? key : { k: 'get', of: e, key };
      } else return e;
    }
  }

  private primary(): Expr {
    const t = this.next();
    if (t.t === 'num') return { k: 'lit', v: t.v };
    if (t.t === 'str') return t.parts.length === 1 && typeof t.parts[0] === 'string' ? { k: 'lit', v: t.parts[0] } : t.parts.length === 0 ? { k: 'lit', v: '' } : { k: 'tpl', parts: t.parts };
    if (t.t === 'id') {
      if (t.v === 'true' || t.v === 'false') return { k: 'lit', v: t.v === 'true' };
      if (t.v === 'null') return { k: 'lit', v: null };
      if (this.isOp('(')) {
        this.i++;
        this.nest++;
        const args: Expr[] = [];
        while (!this.isOp(')')) {
          args.push(this.expr());
          if (this.isOp('...')) this.i++;
          if (this.isOp(',')) this.i++;
          else break;
        }
        this.expectOp(')');
        this.nest--;
        return { k: 'call', name: t.v, args };
      }
      return { k: 'var', name: t.v };
    }
    if (t.t === 'op' && t.v === '(') {
      this.nest++;
      const e = this.expr();
      this.expectOp(')');
      this.nest--;
      return e;
    }
    if (t.t === 'op' && t.v === '[') {
      this.nest++;
      const p = this.peek();
      if (p.t === 'id' && p.v === 'for') return this.skipFor(']');
      const items: Expr[] = [];
      while (!this.isOp(']')) {
        items.push(this.expr());
        if (this.isOp(',')) this.i++;
        else break;
      }
      this.expectOp(']');
      this.nest--;
      return { k: 'tuple', items };
    }
    if (t.t === 'op' && t.v === '{') {
      this.nest++;
      const p = this.peek();
      if (p.t === 'id' && p.v === 'for') return this.skipFor('}');
      const items: [Expr, Expr][] = [];
      while (!this.isOp('}')) {
        const kt = this.peek();
        let key: Expr;
        if (kt.t === 'id') {
          this.i++;
          key = { k: 'lit', v: kt.v };
        } else key = this.expr();
        if (this.isOp('=') || this.isOp(':')) this.i++;
        else throw new HclError(`line ${kt.line}: expected "=" in an object`);
        items.push([key, this.expr()]);
        if (this.isOp(',')) this.i++;
      }
      this.expectOp('}');
      this.nest--;
      return { k: 'object', items };
    }
    throw new HclError(`line ${t.line}: unexpected ${t.t === 'op' ? `"${t.v}"` : t.t === 'nl' ? 'end of line' : t.t}`);
  }

  /** A `for` expression: not evaluated (its value is unknown); skipped to its closing bracket. */
  private skipFor(close: string): Expr {
    let depth = 1;
    for (;;) {
      const t = this.next();
      if (t.t === 'eof') throw new HclError(`line ${t.line}: a for expression does not end`);
      if (t.t === 'op' && (t.v === '[' || t.v === '{' || t.v === '(')) depth++;
      if (t.t === 'op' && (t.v === ']' || t.v === '}' || t.v === ')') && --depth === 0) {
        if (t.v !== close) throw new HclError(`line ${t.line}: expected "${close}"`);
        this.nest--;
        return { k: 'unknown' };
      }
    }
  }
}

function templateText(parts: (string | Expr)[]): string {
  return parts.map((p) => (typeof p === 'string' ? p : HOLE)).join('');
}

function parseExpression(src: string, line: number): Expr {
  const p = new Parser(tokenize(src, line).filter((t) => t.t !== 'nl'));
  return p.expr();
}

// ---------------------------------------------------------------------------------------------------
// Evaluation

interface Fn {
  params: string[];
  variadic?: string;
  result: Expr;
}

/** A name's binding: an expression not yet evaluated (a variable's default), or its value. */
type Binding = { e: Expr } | { v: Value };

interface Scope {
  vars: Map<string, Binding>;
  fns: Map<string, Fn>;
  /** Variables being evaluated (a cycle is unknown). */
  busy: Set<string>;
  depth: number;
}

const isUnknown = (v: Value): v is typeof UNKNOWN => v === UNKNOWN;
const holey = (v: Value): boolean => typeof v === 'string' && v.includes(HOLE);

function str(v: Value): string | typeof UNKNOWN {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return UNKNOWN;
}

function evaluate(e: Expr, s: Scope): Value {
  if (s.depth > 64) return UNKNOWN;
  switch (e.k) {
    case 'lit':
      return e.v;
    case 'unknown':
      return UNKNOWN;
    case 'tpl': {
      let out = '';
      for (const p of e.parts) {
        if (typeof p === 'string') out += p;
        else {
          const v = str(evaluate(p, s));
          out += isUnknown(v) ? HOLE : v;
        }
      }
      return out;
    }
    case 'var': {
      const b = s.vars.get(e.name);
      if (b === undefined || s.busy.has(e.name)) return UNKNOWN;
      if ('v' in b) return b.v;
      s.busy.add(e.name);
      const r = safely(b.e, { ...s, depth: s.depth + 1 });
      s.busy.delete(e.name);
      s.vars.set(e.name, { v: r });
      return r;
    }
    case 'tuple':
      return e.items.map((x) => evaluate(x, s));
    case 'object': {
      const o: { [k: string]: Value } = {};
      for (const [k, v] of e.items) {
        const key = k.k === 'var' ? k.name : str(evaluate(k, s));
        if (isUnknown(key)) continue;
        o[key] = evaluate(v, s);
      }
      return o;
    }
    case 'get': {
      const of = evaluate(e.of, s);
      const key = evaluate(e.key, s);
      if (Array.isArray(of) && typeof key === 'number') return of[key] ?? UNKNOWN;
      if (of && typeof of === 'object' && !Array.isArray(of) && typeof key === 'string') return (of as { [k: string]: Value })[key] ?? UNKNOWN;
      return UNKNOWN;
    }
    case 'unary': {
      const v = evaluate(e.e, s);
      if (e.op === '!') return typeof v === 'boolean' ? !v : UNKNOWN;
      return typeof v === 'number' ? -v : UNKNOWN;
    }
    case 'bin':
      return binary(e.op, evaluate(e.a, s), () => evaluate(e.b, s));
    case 'cond': {
      const c = evaluate(e.c, s);
      return typeof c === 'boolean' ? evaluate(c ? e.a : e.b, s) : UNKNOWN;
    }
    case 'call':
      return call(e, s);
  }
}

/** An expression's value; unknown where evaluating it fails (a regex that does not match, outside can()). */
function safely(e: Expr, s: Scope): Value {
  try {
    return evaluate(e, s);
  } catch (err) {
    if (err instanceof HclError) return UNKNOWN;
    throw err;
  }
}

function binary(op: string, a: Value, lazyB: () => Value): Value {
  // && and || decide on a known left side alone
  if (op === '&&' && a === false) return false;
  if (op === '||' && a === true) return true;
  const b = lazyB();
  if (isUnknown(a) || isUnknown(b)) return UNKNOWN;
  switch (op) {
    case '&&':
    case '||':
      return typeof a === 'boolean' && typeof b === 'boolean' ? (op === '&&' ? a && b : a || b) : UNKNOWN;
    case '==':
    case '!=': {
      if (holey(a) || holey(b)) return UNKNOWN;
      const eq = JSON.stringify(a) === JSON.stringify(b);
      return op === '==' ? eq : !eq;
    }
  }
  const x = typeof a === 'string' && /^-?\d+(\.\d+)?$/.test(a) ? Number(a) : a;
  const y = typeof b === 'string' && /^-?\d+(\.\d+)?$/.test(b) ? Number(b) : b;
  if (typeof x !== 'number' || typeof y !== 'number') return UNKNOWN;
  const r: Record<string, () => Value> = {
    '<': () => x < y,
    '>': () => x > y,
    '<=': () => x <= y,
    '>=': () => x >= y,
    '+': () => x + y,
    '-': () => x - y,
    '*': () => x * y,
    '/': () => (y === 0 ? UNKNOWN : x / y),
    '%': () => (y === 0 ? UNKNOWN : x % y),
  };
  return r[op]?.() ?? UNKNOWN;
}

/** Standard-library functions bake files use for names and tags (buildx's hclparser stdlib); others are unknown. */
const STDLIB: Record<string, (args: Value[]) => Value> = {
  equal: ([a, b]) => (isUnknown(a as Value) || isUnknown(b as Value) || holey(a as Value) || holey(b as Value) ? UNKNOWN : JSON.stringify(a) === JSON.stringify(b)),
  notequal: ([a, b]) => {
    const r = STDLIB.equal?.([a as Value, b as Value]) as Value;
    return typeof r === 'boolean' ? !r : UNKNOWN;
  },
  and: (a) => (a.every((x) => typeof x === 'boolean') ? a.every(Boolean) : UNKNOWN),
  or: (a) => (a.every((x) => typeof x === 'boolean') ? a.some(Boolean) : UNKNOWN),
  not: ([a]) => (typeof a === 'boolean' ? !a : UNKNOWN),
  lower: ([a]) =>
    typeof a === 'string'
      ? a
          .split(HOLE)
          .map((p) => p.toLowerCase())
          .join(HOLE)
      : UNKNOWN,
  upper: ([a]) => (typeof a === 'string' && !holey(a) ? a.toUpperCase() : UNKNOWN),
  trimspace: ([a]) => (typeof a === 'string' ? a.trim() : UNKNOWN),
  trimprefix: ([a, p]) => (typeof a === 'string' && typeof p === 'string' && !holey(a) ? (a.startsWith(p) ? a.slice(p.length) : a) : UNKNOWN),
  trimsuffix: ([a, p]) => (typeof a === 'string' && typeof p === 'string' && !holey(a) ? (a.endsWith(p) ? a.slice(0, -p.length) : a) : UNKNOWN),
  replace: ([a, f, t]) => (typeof a === 'string' && typeof f === 'string' && typeof t === 'string' && !holey(a) && !f.startsWith('/') ? a.split(f).join(t) : UNKNOWN),
  join: ([sep, list]) => (typeof sep === 'string' && Array.isArray(list) && list.every((x) => typeof x === 'string') ? (list as string[]).join(sep) : UNKNOWN),
  split: ([sep, a]) => (typeof sep === 'string' && typeof a === 'string' && !holey(a) ? a.split(sep) : UNKNOWN),
  concat: (lists) => (lists.every(Array.isArray) ? (lists as Value[][]).flat() : UNKNOWN),
  compact: ([list]) => (Array.isArray(list) ? list.filter((x) => x !== '' && x !== null) : UNKNOWN),
  distinct: ([list]) => (Array.isArray(list) ? [...new Map<string, Value>(list.map((x): [string, Value] => [JSON.stringify(x), x])).values()] : UNKNOWN),
  flatten: ([list]) => (Array.isArray(list) ? (list.flat(8) as Value[]) : UNKNOWN),
  coalesce: (a) => a.find((x) => x !== null && x !== '' && !isUnknown(x)) ?? UNKNOWN,
  length: ([a]) => (Array.isArray(a) ? a.length : typeof a === 'string' && !holey(a) ? a.length : UNKNOWN),
  element: ([list, i]) => (Array.isArray(list) && typeof i === 'number' && list.length ? (list[i % list.length] ?? UNKNOWN) : UNKNOWN),
  format: ([f, ...a]) => {
    if (typeof f !== 'string') return UNKNOWN;
    let k = 0;
    const out = f.replace(/%(%|[sdv])/g, (_m, c: string) => {
      if (c === '%') return '%';
      const v = str(a[k++] ?? UNKNOWN);
      return isUnknown(v) ? HOLE : v;
    });
    return out;
  },
  regex: ([re, a]) => {
    if (typeof re !== 'string' || typeof a !== 'string' || holey(a)) return UNKNOWN;
    let m: RegExpExecArray | null;
    try {
      m = new RegExp(re).exec(a);
    } catch {
      return UNKNOWN;
    }
    // HCL's regex fails when nothing matches (can() then gives false)
    if (!m) throw new HclError(`regex ${re} does not match`);
    return m.length > 1 ? m.slice(1).map((x) => x ?? null) : m[0];
  },
  regex_replace: ([a, re, t]) => {
    if (typeof a !== 'string' || typeof re !== 'string' || typeof t !== 'string' || holey(a)) return UNKNOWN;
    try {
      return a.replace(new RegExp(re, 'g'), t.replace(/\$\{?(\d+)\}?/g, '$$$1'));
    } catch {
      return UNKNOWN;
    }
  },
  substr: ([a, off, len]) => (typeof a === 'string' && typeof off === 'number' && typeof len === 'number' && !holey(a) ? a.substr(off, len < 0 ? undefined : len) : UNKNOWN),
  contains: ([list, v]) => (Array.isArray(list) && !isUnknown(v as Value) ? list.some((x) => JSON.stringify(x) === JSON.stringify(v)) : UNKNOWN),
};

function call(e: { name: string; args: Expr[] }, s: Scope): Value {
  const user = s.fns.get(e.name);
  if (user) {
    const vars = new Map(s.vars);
    for (const [i, p] of user.params.entries()) vars.set(p, { v: evaluate(e.args[i] ?? { k: 'unknown' }, s) });
    if (user.variadic) vars.set(user.variadic, { v: e.args.slice(user.params.length).map((a) => evaluate(a, s)) });
    return evaluate(user.result, { ...s, vars, depth: s.depth + 1 });
  }
  // can(expr): whether it evaluates (an unknown value is not an error); try(a, b...): the first that does
  if (e.name === 'can' || e.name === 'try') {
    for (const a of e.args) {
      try {
        const v = evaluate(a, s);
        if (e.name === 'can') return isUnknown(v) ? UNKNOWN : true;
        if (!isUnknown(v)) return v;
        return UNKNOWN;
      } catch (err) {
        if (!(err instanceof HclError)) throw err;
        if (e.name === 'can') return false;
      }
    }
    return UNKNOWN;
  }
  const f = STDLIB[e.name];
  if (!f) return UNKNOWN;
  const args = e.args.map((a) => evaluate(a, s));
  return f(args);
}

// ---------------------------------------------------------------------------------------------------
// Targets

interface RawTarget {
  name: string;
  line: number;
  attrs: Map<string, Expr>;
}

/** The targets of a parsed bake file, `inherits` applied (own attributes over inherited ones, args merged). */
function targetsOf(raw: readonly RawTarget[], vars: Map<string, Binding>, fns: Map<string, Fn>): BakeTarget[] {
  const byName = new Map<string, RawTarget[]>();
  for (const t of raw) byName.set(t.name, [...(byName.get(t.name) ?? []), t]);
  const scope = (extra?: Map<string, Value>): Scope => ({ vars: extra ? new Map([...vars, ...[...extra].map(([k, v]): [string, Binding] => [k, { v }])]) : vars, fns, busy: new Set(), depth: 0 });
  // a target's attributes, inherited ones first (a cycle or a missing parent adds nothing)
  const resolved = new Map<string, Map<string, Value>>();
  const resolve = (name: string, seen: Set<string>, extra?: Map<string, Value>): Map<string, Value> => {
    const cached = extra ? undefined : resolved.get(name);
    if (cached) return cached;
    const out = new Map<string, Value>();
    if (seen.has(name)) return out;
    seen.add(name);
    // several blocks of one name merge, later over earlier (as bake merges files)
    for (const t of byName.get(name) ?? []) {
      const s = scope(extra);
      const inherits = t.attrs.get('inherits');
      const parents = inherits ? safely(inherits, s) : [];
      for (const p of Array.isArray(parents) ? parents : []) if (typeof p === 'string') for (const [k, v] of resolve(p, new Set(seen))) mergeAttr(out, k, v);
      for (const [k, e] of t.attrs) if (k !== 'inherits' && k !== 'matrix' && k !== 'name') mergeAttr(out, k, safely(e, s));
    }
    if (!extra) resolved.set(name, out);
    return out;
  };
  const out: BakeTarget[] = [];
  for (const [name, blocks] of byName) {
    const first = blocks[0] as RawTarget;
    const matrix = first.attrs.get('matrix');
    const combos = matrix ? matrixCombos(safely(matrix, scope())) : [undefined];
    for (const combo of combos) {
      const attrs = resolve(name, new Set(), combo);
      const nameExpr = first.attrs.get('name');
      const label = combo && nameExpr ? str(safely(nameExpr, scope(combo))) : name;
      out.push(toTarget(isUnknown(label) ? name : label, first.line, attrs));
    }
  }
  return out;
}

function mergeAttr(out: Map<string, Value>, k: string, v: Value): void {
  const prev = out.get(k);
  // args, labels and contexts merge key by key; every other attribute is replaced
  if ((k === 'args' || k === 'contexts' || k === 'labels') && prev && typeof prev === 'object' && !Array.isArray(prev) && v && typeof v === 'object' && !Array.isArray(v))
    out.set(k, { ...(prev as object), ...(v as object) } as Value);
  else out.set(k, v);
}

/** A matrix's combinations (each key's list, crossed), at most 64; an unknown matrix gives none. */
function matrixCombos(m: Value): Map<string, Value>[] {
  if (!m || typeof m !== 'object' || Array.isArray(m)) return [];
  let combos: Map<string, Value>[] = [new Map()];
  for (const [k, list] of Object.entries(m)) {
    if (!Array.isArray(list)) return [];
    combos = combos.flatMap((c) => list.map((v) => new Map([...c, [k, v]])));
    if (combos.length > 64) return [];
  }
  return combos;
}

function toTarget(name: string, line: number, a: Map<string, Value>): BakeTarget {
  const text = (k: string): string | undefined => {
    const v = a.get(k);
    return typeof v === 'string' ? v : undefined;
  };
  const record = (k: string): Record<string, string> => {
    const v = a.get(k);
    const out: Record<string, string> = {};
    if (v && typeof v === 'object' && !Array.isArray(v))
      for (const [key, x] of Object.entries(v)) {
        const sv = str(x);
        if (!isUnknown(sv) && !sv.includes(HOLE)) out[key] = sv;
      }
    return out;
  };
  const tagsValue = a.get('tags');
  const tags = (Array.isArray(tagsValue) ? tagsValue : typeof tagsValue === 'string' ? [tagsValue] : []).filter((t): t is string => typeof t === 'string' && t.trim() !== '').map((t) => t.trim());
  const target = text('target');
  return {
    name,
    line,
    context: text('context') ?? '.',
    dockerfile: text('dockerfile') ?? 'Dockerfile',
    ...(target && !target.includes(HOLE) ? { target } : {}),
    tags: [...new Set(tags)],
    args: record('args'),
    contexts: record('contexts'),
    ...(a.has('dockerfile-inline') ? { inline: true as const } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------
// Reading a file

type BakeRead = { ok: true; targets: BakeTarget[] } | { ok: false; message: string };

/** The targets of a bake file, HCL or JSON (by its text: a JSON file starts with `{`). */
export function readBake(text: string): BakeRead {
  try {
    return { ok: true, targets: /^\s*\{/.test(text) ? readJson(text) : readHcl(text) };
  } catch (err) {
    if (err instanceof HclError || err instanceof SyntaxError) return { ok: false, message: err.message };
    throw err;
  }
}

function readHcl(text: string): BakeTarget[] {
  const root = new Parser(tokenize(text)).body(false);
  const vars = new Map<string, Binding>();
  const fns = new Map<string, Fn>();
  const raw: RawTarget[] = [];
  // top-level attributes are variables too (`TAG = "latest"`)
  for (const [k, e] of root.attrs) vars.set(k, { e });
  for (const b of root.blocks) {
    const label = b.labels[0];
    if (label === undefined) continue;
    if (b.type === 'variable') {
      const def = b.attrs.get('default');
      vars.set(label, def ? { e: def } : { v: UNKNOWN });
    } else if (b.type === 'function') {
      const params = b.attrs.get('params');
      const result = b.attrs.get('result');
      const variadic = b.attrs.get('variadic_params');
      if (!result || params?.k !== 'tuple') continue;
      fns.set(label, {
        params: params.items.map((p) => (p.k === 'var' ? p.name : '')),
        ...(variadic?.k === 'var' ? { variadic: variadic.name } : {}),
        result,
      });
    } else if (b.type === 'target') raw.push({ name: label, line: b.line, attrs: b.attrs });
  }
  return targetsOf(raw, vars, fns);
}

/** The JSON form: the same blocks as objects; every string is a template (`"${TAG}"`), as in HCL's JSON syntax. */
function readJson(text: string): BakeTarget[] {
  const doc = JSON.parse(text) as unknown;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return [];
  const d = doc as Record<string, unknown>;
  const lineOf = (key: string): number => {
    const at = text.search(new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:\\s*\\{`));
    return at < 0 ? 1 : text.slice(0, at).split('\n').length;
  };
  const toExpr = (v: unknown): Expr => {
    if (typeof v === 'string') {
      const parts = readTemplate(`${v}\u0000`, 0, 1, '\u0000').parts;
      return parts.length === 1 && typeof parts[0] === 'string' ? { k: 'lit', v: parts[0] } : { k: 'tpl', parts };
    }
    if (Array.isArray(v)) return { k: 'tuple', items: v.map(toExpr) };
    if (v && typeof v === 'object') return { k: 'object', items: Object.entries(v).map(([k, x]) => [{ k: 'lit', v: k }, toExpr(x)]) };
    return { k: 'lit', v: (v ?? null) as Value };
  };
  const vars = new Map<string, Binding>();
  for (const [k, v] of Object.entries((d.variable ?? {}) as Record<string, unknown>)) {
    const def = v && typeof v === 'object' ? (v as Record<string, unknown>).default : undefined;
    vars.set(k, def === undefined ? { v: UNKNOWN } : { e: toExpr(def) });
  }
  const raw: RawTarget[] = [];
  for (const [name, t] of Object.entries((d.target ?? {}) as Record<string, unknown>)) {
    if (!t || typeof t !== 'object') continue;
    raw.push({ name, line: lineOf(name), attrs: new Map(Object.entries(t).map(([k, v]) => [k, toExpr(v)])) });
  }
  return targetsOf(raw, vars, new Map());
}
