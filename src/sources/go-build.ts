/**
 * What the go command builds, for linking a binary to its Go package: the arguments of `go build` and
 * `go install` (`go help build`), the executable's default name (cmd/go/internal/load DefaultExecName),
 * the module path in go.mod, and which files of a package a linux build compiles (`go help
 * buildconstraint`: file-name suffixes and `//go:build` lines).
 */

/** A RUN that runs a go command the Go link follows (`go build`, `go install`, `go mod init`); most RUNs do not. */
export function mentionsGoCommand(text: string): boolean {
  return /\bgo\s+(build|install|mod\s+init)\b/.test(text);
}

/** A word of a command line: its value when known, and whether it may split into several (an unquoted expansion). */
export interface ArgWord {
  literal?: string;
  splits: boolean;
  /** An unquoted glob (`*.go`): the shell replaces it with the matching names. */
  glob?: string;
  /** `-gcflags="${FLAGS}"`: a flag whose name is written out and whose value is built at run time. */
  flag?: string;
}

export interface GoArgs {
  verb: 'build' | 'install';
  /** -o as written; null when it is built at run time. */
  output?: string | null;
  /** The package arguments as written (default `.`); null for one built at run time. */
  packages: (string | null)[];
  /** Indexes in `packages` of shell globs (`*.go`), which name the files that match. */
  globs: number[];
  /** A word could be any number of arguments: which are packages cannot be told. */
  unclear: boolean;
  /** -tags; null when built at run time. */
  tags: string[] | null;
  /** -C DIR: the go command changes to DIR first. */
  chdir?: string | null;
  race: boolean;
}

/** Build flags that take a value (`go help build`, Go 1.22); the others are booleans. */
const WITH_VALUE = new Set([
  'C',
  'o',
  'p',
  'asmflags',
  'buildmode',
  'compiler',
  'gccgoflags',
  'gcflags',
  'installsuffix',
  'ldflags',
  'mod',
  'modfile',
  'overlay',
  'pgo',
  'pkgdir',
  'tags',
  'toolexec',
  'covermode',
  'coverpkg',
  'exec',
]);

/** The arguments of `go build ...` / `go install ...` (words after `go`); undefined for another go subcommand. */
export function parseGoArgs(words: readonly ArgWord[]): GoArgs | undefined {
  const verb = words[0]?.literal;
  if (verb !== 'build' && verb !== 'install') return undefined;
  const out: GoArgs = { verb, packages: [], globs: [], unclear: false, tags: [], race: false };
  let i = 1;
  // Go's flag package: flags come first, `-f`, `--f`, `-f=v` or `-f v`; the first non-flag ends them.
  for (; i < words.length; i++) {
    const w = words[i] as ArgWord;
    if (w.literal === undefined) {
      if (w.glob !== undefined) break; // `*.go`: the files, after the flags
      if (w.flag !== undefined) {
        // `-gcflags="${X}"` is one flag, whatever X holds (unquoted, it may split into more words)
        if (w.splits) out.unclear = true;
        if (w.flag === 'o') out.output = null;
        else if (w.flag === 'C') out.chdir = null;
        else if (w.flag === 'tags') out.tags = null;
        continue;
      }
      if (w.splits) {
        out.unclear = true;
        continue;
      }
      break; // a quoted expansion: one argument, not a flag pid1 can name
    }
    if (w.literal === '--') {
      i++;
      break;
    }
    const m = /^--?([A-Za-z][\w-]*)(?:=(.*))?$/s.exec(w.literal);
    if (!m) break;
    const name = m[1] as string;
    let value: string | null | undefined = m[2];
    if (WITH_VALUE.has(name) && value === undefined) {
      const next = words[++i];
      value = next?.literal ?? null;
      if (next && next.literal === undefined && next.splits) out.unclear = true;
    }
    if (name === 'o') out.output = value ?? null;
    else if (name === 'C') out.chdir = value ?? null;
    else if (name === 'tags') out.tags = value === null || value === undefined ? null : value.split(/[,\s]+/).filter(Boolean);
    else if (name === 'race') out.race = value === undefined || value === 'true';
  }
  for (; i < words.length; i++) {
    const w = words[i] as ArgWord;
    if (w.glob !== undefined) {
      out.globs.push(out.packages.length);
      out.packages.push(w.glob);
      continue;
    }
    if (w.literal === undefined && w.splits) out.unclear = true;
    out.packages.push(w.literal ?? null);
  }
  if (out.packages.length === 0 && !out.unclear) out.packages.push('.');
  return out;
}

/** A major-version path element: v2, v3, ... */
const isVersionElement = (s: string): boolean => /^v([2-9]|[1-9]\d+)$/.test(s);

/**
 * The executable a main package builds to: the last element of its import path, or in module mode the
 * one before a major-version suffix (example.com/cmd/v2 -> cmd; cmd/go/internal/load DefaultExecName).
 */
export function defaultExecName(importPath: string, modules = true): string {
  const parts = importPath.replace(/\/+$/, '').split('/');
  const last = parts[parts.length - 1] as string;
  if (modules && parts.length > 1 && isVersionElement(last)) return parts[parts.length - 2] as string;
  return last;
}

/**
 * The module path of a go.mod (golang.org/x/mod/modfile: `module PATH`, PATH bare or quoted, comments
 * with //). Undefined when it has none.
 */
export function moduleOf(goMod: string): string | undefined {
  for (const raw of goMod.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    const m = /^module\s+(?:"([^"]+)"|`([^`]+)`|(\S+))\s*$/.exec(line);
    if (m) return m[1] ?? m[2] ?? m[3];
  }
  return undefined;
}

// go/build's known operating systems and architectures (src/internal/syslist/syslist.go).
const GOOS = new Set(['aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'wasip1', 'windows', 'zos']);
const GOARCH = new Set([
  '386',
  'amd64',
  'amd64p32',
  'arm',
  'armbe',
  'arm64',
  'arm64be',
  'loong64',
  'mips',
  'mipsle',
  'mips64',
  'mips64le',
  'mips64p32',
  'mips64p32le',
  'ppc',
  'ppc64',
  'ppc64le',
  'riscv',
  'riscv64',
  's390',
  's390x',
  'sparc',
  'sparc64',
  'wasm',
]);
/** GOOS values the `unix` constraint covers (go/build: syslist.UnixOS). */
const UNIX = new Set(['aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'linux', 'netbsd', 'openbsd', 'solaris']);

/** What a build for a Linux image satisfies: GOOS is linux; GOARCH and cgo are known only when the command says. */
export interface BuildTarget {
  tags: ReadonlySet<string>;
  goarch?: string;
  cgo?: boolean;
  race?: boolean;
}

type Tri = boolean | undefined;

function tagValue(tag: string, t: BuildTarget): Tri {
  if (t.tags.has(tag)) return true;
  if (tag === 'linux' || tag === 'unix' || tag === 'gc') return true;
  if (GOOS.has(tag) || UNIX.has(tag) || tag === 'gccgo') return false;
  if (GOARCH.has(tag)) return t.goarch !== undefined ? t.goarch === tag : undefined;
  if (tag === 'cgo') return t.cgo;
  if (tag === 'race') return t.race ?? false;
  // goexperiment.* and the release tags go1.1 ... go1.N: any toolchain building today's modules has them.
  if (/^go1\.\d+$/.test(tag)) return true;
  if (tag.startsWith('goexperiment.')) return undefined;
  return false; // a custom tag not given with -tags (`ignore` included)
}

const not = (a: Tri): Tri => (a === undefined ? undefined : !a);
const and = (a: Tri, b: Tri): Tri => (a === false || b === false ? false : a === undefined || b === undefined ? undefined : true);
const or = (a: Tri, b: Tri): Tri => (a === true || b === true ? true : a === undefined || b === undefined ? undefined : false);

/** A `//go:build` expression (go/build/constraint): ||, &&, !, parentheses, tags; undefined for a syntax error too. */
function evalExpr(expr: string, t: BuildTarget): Tri {
  const toks = expr.match(/\|\||&&|!|\(|\)|[\w.]+/g) ?? [];
  let i = 0;
  let bad = false;
  const orExpr = (): Tri => {
    let v = andExpr();
    while (toks[i] === '||') {
      i++;
      v = or(v, andExpr());
    }
    return v;
  };
  const andExpr = (): Tri => {
    let v = unary();
    while (toks[i] === '&&') {
      i++;
      v = and(v, unary());
    }
    return v;
  };
  const unary = (): Tri => {
    const tk = toks[i++];
    if (tk === '!') return not(unary());
    if (tk === '(') {
      const v = orExpr();
      if (toks[i++] !== ')') bad = true;
      return v;
    }
    if (tk === undefined || !/^[\w.]+$/.test(tk)) {
      bad = true;
      return undefined;
    }
    return tagValue(tk, t);
  };
  const v = orExpr();
  return bad || i !== toks.length ? undefined : v;
}

/** A `// +build` line (before Go 1.17): spaces are OR, commas AND, `!` NOT. */
function evalPlusBuild(line: string, t: BuildTarget): Tri {
  let any: Tri = false;
  for (const opt of line.trim().split(/\s+/)) {
    let all: Tri = true;
    for (const term of opt.split(',')) all = and(all, term.startsWith('!') ? not(tagValue(term.slice(1), t)) : tagValue(term, t));
    any = or(any, all);
  }
  return any;
}

/**
 * The header of a Go file: its build constraint lines and its package name, read with Go's lexical rules
 * (comments and blank space before the package clause; constraints are line comments there).
 */
export function goFileHeader(text: string): { constraints: string[]; plusBuild: string[]; pkg?: string } {
  const constraints: string[] = [];
  const plusBuild: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\uFEFF') {
      i++;
      continue;
    }
    if (text.startsWith('//', i)) {
      const end = text.indexOf('\n', i);
      const line = text.slice(i, end < 0 ? undefined : end).trimEnd();
      const build = /^\/\/go:build\s+(.*)$/.exec(line);
      if (build) constraints.push(build[1] as string);
      const plus = /^\/\/\s*\+build\s+(.*)$/.exec(line);
      if (plus) plusBuild.push(plus[1] as string);
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      continue;
    }
    break;
  }
  const m = /^package\s+([\p{L}_][\p{L}\p{N}_]*)/u.exec(text.slice(i));
  return { constraints, plusBuild, ...(m ? { pkg: m[1] as string } : {}) };
}

/**
 * Does a linux build compile this file? false: excluded (a test, another GOOS or GOARCH in its name, a
 * build constraint that fails); undefined: it depends on what the command does not say (GOARCH, cgo).
 */
export function buildsFile(name: string, text: string, t: BuildTarget): Tri {
  if (!name.endsWith('.go') || name.endsWith('_test.go') || name.startsWith('_') || name.startsWith('.')) return false;
  // name_GOOS.go, name_GOARCH.go, name_GOOS_GOARCH.go (go/build goodOSArchFile)
  const parts = name.slice(0, -3).split('_');
  let byName: Tri = true;
  if (parts.length >= 3 && GOOS.has(parts[parts.length - 2] as string) && GOARCH.has(parts[parts.length - 1] as string)) {
    byName = and(tagValue(parts[parts.length - 2] as string, t), tagValue(parts[parts.length - 1] as string, t));
  } else if (parts.length >= 2) {
    const last = parts[parts.length - 1] as string;
    if (GOOS.has(last)) byName = last === 'linux';
    else if (GOARCH.has(last)) byName = tagValue(last, t);
  }
  if (byName === false) return false;
  const h = goFileHeader(text);
  // //go:build wins over // +build lines (go/build: "If a file has both, the //go:build line is used").
  const byConstraint = h.constraints.length ? h.constraints.reduce<Tri>((v, e) => and(v, evalExpr(e, t)), true) : h.plusBuild.reduce<Tri>((v, l) => and(v, evalPlusBuild(l, t)), true);
  return and(byName, byConstraint);
}
