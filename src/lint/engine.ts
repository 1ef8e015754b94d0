/**
 * The lint engine: documents go to their source (by kind), the source yields launches, every rule runs
 * over the result, then suppressions and the config's severities apply. Sources register by document
 * kind, so compose/Kubernetes sources plug in next to the Dockerfile and script ones.
 */
import type { Outcome } from '../model/launch.js';
import { RULES } from '../rules/index.js';
import { lintDockerfileSource } from '../sources/dockerfile.js';
import { lintScriptSource } from '../sources/script.js';
import { lintComposeDocument } from '../sources/compose.js';
import { lintKubernetesDocument } from '../sources/kubernetes.js';
import { relatedFor } from '../sources/yaml-launch.js';
import { messageOf } from '../util/errors.js';
import { DocumentStore } from './documents.js';
import type { Report, Rule } from './rule.js';
import { suppressionFor } from './suppress.js';
import type { Document, FileError, Finding, Launch, Severity, SourceOptions, SourceResult } from './types.js';

export type SourceFn = (doc: Document, store: DocumentStore, opts: SourceOptions) => SourceResult;

const SOURCES = new Map<string, SourceFn>([
  ['dockerfile', lintDockerfileSource],
  ['script', (doc, _store, opts) => lintScriptSource(doc, opts)],
  ['compose', lintComposeDocument],
  ['kubernetes', lintKubernetesDocument],
]);

/** Register a source for a document kind (compose, kubernetes, ...). */
export function registerSource(kind: string, fn: SourceFn): void {
  SOURCES.set(kind, fn);
}

export interface EngineOptions extends SourceOptions {
  /** Rule id -> severity or off (config `rules`). */
  rules?: Readonly<Record<string, Severity | 'off'>>;
  /** Run only these rules (tests). */
  only?: readonly Rule[];
}

export interface LaunchSummary {
  file: string;
  label: string;
  target: boolean;
  argv: string[];
  shell: { family: string; how: string; image?: string };
  stopSignal: { signal: string; source: string };
  outcome?: Outcome;
  certain?: boolean;
  pid1?: string;
  service?: string;
  chain?: string[];
  path: string[];
  note?: string;
}

export interface FileResult {
  file: string;
  kind: string;
  launches: LaunchSummary[];
  findings: Finding[];
  suppressed: Finding[];
  errors: FileError[];
}

export interface LintResult {
  files: FileResult[];
  /** Every document read (inputs and the scripts they run), by display path. */
  docs: Map<string, Document>;
}

function summarize(l: Launch): LaunchSummary {
  const p = l.prediction;
  return {
    file: l.doc.file, label: l.label, target: l.target, argv: l.argv,
    shell: { family: l.shell.family, how: l.shell.how, ...(l.shell.image ? { image: l.shell.image } : {}) },
    stopSignal: { signal: l.stopSignal.signal, source: l.stopSignal.source },
    ...(p ? { outcome: p.outcome, certain: p.certain, pid1: p.pid1.name, service: p.service.name, chain: l.chain?.processes.map((c) => c.name) ?? [] } : {}),
    path: p?.path ?? [],
    ...(l.noLaunch ? { note: l.noLaunch } : l.chain?.opaque ? { note: l.chain.opaque } : {}),
  };
}

export class Linter {
  readonly store: DocumentStore;
  private readonly files = new Map<string, FileResult>();
  private readonly docs = new Map<string, Document>();
  private readonly seen = new Map<string, Finding>();
  private readonly rules: readonly Rule[];

  constructor(private readonly opts: EngineOptions = {}, store?: DocumentStore) {
    this.store = store ?? new DocumentStore();
    this.rules = (opts.only ?? RULES).filter((r) => opts.rules?.[r.meta.id] !== 'off');
  }

  private fileResult(doc: Document): FileResult {
    let f = this.files.get(doc.file);
    if (!f) {
      f = { file: doc.file, kind: doc.kind, launches: [], findings: [], suppressed: [], errors: [] };
      this.files.set(doc.file, f);
      this.docs.set(doc.file, doc);
    }
    return f;
  }

  /** An error that kept a file from being linted. */
  fileError(e: FileError, kind = 'unknown'): void {
    let f = this.files.get(e.file);
    if (!f) {
      f = { file: e.file, kind, launches: [], findings: [], suppressed: [], errors: [] };
      this.files.set(e.file, f);
    }
    f.errors.push(e);
  }

  /** Lint one document; findings may land in other documents (the scripts a Dockerfile runs). */
  lint(doc: Document): void {
    const fr = this.fileResult(doc);
    const source = SOURCES.get(doc.kind);
    if (!source) { fr.errors.push({ file: doc.file, message: `no source reads ${doc.kind} files` }); return; }
    let result: SourceResult;
    try {
      result = source(doc, this.store, this.opts);
    } catch (err) {
      // a bug in a source must not stop the run: report it on the file
      fr.errors.push({ file: doc.file, message: `internal error while reading: ${messageOf(err)}` });
      return;
    }
    fr.errors.push(...result.errors);
    fr.launches.push(...result.launches.map(summarize));
    for (const rule of this.rules) {
      const report = (launch: Launch | undefined) => (r: Report): void => this.add(rule, r, launch);
      try {
        if (rule.checkSource) rule.checkSource(result, { result, report: report(undefined) });
        if (rule.checkLaunch) for (const l of result.launches) rule.checkLaunch(l, { result, report: report(l) });
      } catch (err) {
        fr.errors.push({ file: doc.file, message: `internal error in rule ${rule.meta.id}: ${messageOf(err)}` });
      }
    }
    for (const l of result.launches) for (const s of l.scripts.values()) if (s.doc !== doc) this.docs.set(s.doc.file, s.doc);
  }

  private add(rule: Rule, r: Report, launch: Launch | undefined): void {
    let severity: Severity = r.severity ?? rule.meta.severity;
    // a stage that does not end up in the target image never produces more than info
    if (launch && !launch.target) severity = 'info';
    const override = this.opts.rules?.[rule.meta.id];
    if (override && override !== 'off' && (launch === undefined || launch.target) && severity !== 'info') severity = override;
    else if (override && override !== 'off' && rule.meta.severity === 'info') severity = override;
    const { severity: _s, ...rest } = r;
    void _s;
    const f: Finding = { ruleId: rule.meta.id, severity, ...rest };
    // One finding per rule and place: a file shared by several launches (a script used by two compose
    // services, a Dockerfile built by several) is reported once, naming every launch that runs it.
    const key = `${f.ruleId}\0${f.file}\0${f.range.start.offset}\0${f.range.end.offset}`;
    // compose/Kubernetes: name the service or container, the YAML document and the field path
    const rel = launch ? relatedFor(launch, f, (file) => this.docs.get(file) ?? this.store.byPath(file)) : undefined;
    const first = this.seen.get(key);
    if (first) {
      const more = [...(f.related ?? []), ...(rel ? [rel] : [])];
      for (const m of more) if (!first.related?.some((x) => x.file === m.file && x.message === m.message && x.range.start.offset === m.range.start.offset)) first.related = [...(first.related ?? []), m];
      return;
    }
    this.seen.set(key, f);
    if (rel) f.related = [...(f.related ?? []), rel];
    const doc = this.docs.get(f.file) ?? this.store.byPath(f.file) ?? launch?.doc;
    const target = doc ? this.fileResult(doc) : undefined;
    if (!target) return;
    const s = doc ? suppressionFor(doc, f) : undefined;
    if (s) {
      f.suppressed = { kind: 'inSource', justification: s.reason };
      target.suppressed.push(f);
    } else {
      target.findings.push(f);
    }
  }

  result(): LintResult {
    const files = [...this.files.values()];
    for (const f of files) f.findings.sort((a, b) => a.range.start.offset - b.range.start.offset || a.ruleId.localeCompare(b.ruleId));
    return { files, docs: this.docs };
  }
}

export interface Counts {
  errors: number;
  warnings: number;
  infos: number;
  fileErrors: number;
  fixable: number;
  suppressed: number;
}

export function countOf(r: LintResult): Counts {
  const c: Counts = { errors: 0, warnings: 0, infos: 0, fileErrors: 0, fixable: 0, suppressed: 0 };
  for (const f of r.files) {
    c.fileErrors += f.errors.length;
    c.suppressed += f.suppressed.length;
    for (const x of f.findings) {
      if (x.severity === 'error') c.errors++;
      else if (x.severity === 'warning') c.warnings++;
      else c.infos++;
      if (x.fix) c.fixable++;
    }
  }
  return c;
}
