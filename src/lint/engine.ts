/**
 * The lint engine: documents go to their source (by kind), the source yields launches, every rule runs
 * over the result; then the engine turns reports into findings: it fills the rule's message, applies the
 * severity policy (findings outside the target image are info; the config's severities), refuses what a
 * rule's metadata does not allow (a fix from a rule that is not fixable, a finding on a launch kind the
 * rule does not declare), and applies suppressions.
 */
import type { Document, DocumentKind, FileError } from '../document/document.js';
import { DocumentStore } from '../document/store.js';
import type { Outcome } from '../model/launch.js';
import { formatMessage, type Finding, type Report, type Rule, type Severity } from '../rules/contract.js';
import { RULES } from '../rules/index.js';
import { lintComposeDocument } from '../sources/compose/source.js';
import type { ComposeOptions } from '../sources/compose/project.js';
import { lintDockerfileSource } from '../sources/dockerfile/launch.js';
import { lintKubernetesDocument, type KubernetesOptions } from '../sources/kubernetes/source.js';
import { isOrchestrated, type Launch, type SourceResult } from '../sources/launch.js';
import { relatedFor } from '../sources/orchestrated.js';
import { lintScriptSource } from '../sources/script.js';
import { messageOf } from '../util/errors.js';
import { suppressionFor } from './suppress.js';

/** Options every source understands, and the compose and Kubernetes ones. */
export type SourceRunOptions = ComposeOptions & KubernetesOptions;

type SourceFn = (doc: Document, store: DocumentStore, opts: SourceRunOptions) => SourceResult;

const SOURCES: Readonly<Record<DocumentKind, SourceFn>> = {
  dockerfile: lintDockerfileSource,
  script: (doc) => lintScriptSource(doc),
  compose: lintComposeDocument,
  kubernetes: lintKubernetesDocument,
};

export interface EngineOptions extends SourceRunOptions {
  /** Rule id -> severity or off (config `rules`). */
  rules?: Readonly<Record<string, Severity | 'off'>>;
  /** Run only these rules (tests). */
  only?: readonly Rule[];
}

interface LaunchSummary {
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
  /** Why the launch could not be fully predicted: a stable code (see docs/lint.md) and its message. */
  reason?: string;
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
    file: l.doc.file,
    label: l.label,
    target: l.target,
    argv: l.argv,
    shell: { family: l.shell.family, how: l.shell.how, ...(l.shell.image ? { image: l.shell.image } : {}) },
    stopSignal: { signal: l.stopSignal.signal, source: l.stopSignal.source },
    ...(p ? { outcome: p.outcome, certain: p.certain, pid1: p.pid1.name, service: p.service.name, chain: l.chain?.processes.map((c) => c.name) ?? [] } : {}),
    path: p?.path ?? [],
    ...(l.unresolved ? { reason: l.unresolved.code, note: l.unresolved.message } : l.chain?.opaque ? { reason: l.chain.opaque.code, note: l.chain.opaque.message } : {}),
  };
}

export class Linter {
  readonly store: DocumentStore;
  private readonly files = new Map<string, FileResult>();
  private readonly docs = new Map<string, Document>();
  private readonly seen = new Map<string, Finding>();
  private readonly rules: readonly Rule[];

  constructor(
    private readonly opts: EngineOptions = {},
    store?: DocumentStore,
  ) {
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
    const source = SOURCES[doc.kind];
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
      const report =
        (launch: Launch | undefined) =>
        (r: Report): void =>
          this.add(rule, r, launch, doc.kind);
      try {
        if (rule.checkSource && rule.meta.sources.includes(doc.kind)) rule.checkSource(result, { result, report: report(undefined) });
        if (rule.checkLaunch) for (const l of result.launches) rule.checkLaunch(l, { result, report: report(l) });
      } catch (err) {
        fr.errors.push({ file: doc.file, message: `internal error in rule ${rule.meta.id}: ${messageOf(err)}` });
      }
    }
    for (const l of result.launches) for (const s of l.scripts.values()) if (s.doc !== doc) this.docs.set(s.doc.file, s.doc);
    // files the sources were refused (a symlink out of the tree, a FIFO under a script's name): reported on their own
    for (const e of this.store.takeRefusals()) this.fileError(e, 'unknown');
  }

  private add(rule: Rule, r: Report, launch: Launch | undefined, docKind: DocumentKind): void {
    // The contract: a rule reports only on the kinds it declares, and fixes only if it is fixable.
    const kind = launch?.kind ?? docKind;
    if (!rule.meta.sources.includes(kind)) throw new Error(`it reported on a ${kind} launch, but declares only ${rule.meta.sources.join(', ')}`);
    if (r.fix && !rule.meta.fixable) throw new Error('it attached a fix, but is not fixable');
    const template = rule.meta.messages[r.messageId];
    if (template === undefined) throw new Error(`it reported an unknown message id "${r.messageId}"`);
    const outside = (launch !== undefined && !launch.target) || r.outsideTarget === true;
    let severity: Severity = r.severity ?? rule.meta.severity;
    // The one severity policy: what does not end up in the target image never produces more than info.
    if (outside) severity = 'info';
    const override = this.opts.rules?.[rule.meta.id];
    if (override && override !== 'off' && !outside && severity !== 'info') severity = override;
    else if (override && override !== 'off' && rule.meta.severity === 'info') severity = override;
    const { severity: _s, data, outsideTarget: _o, messageId, ...rest } = r;
    const f: Finding = { ruleId: rule.meta.id, messageId, severity, message: formatMessage(template, data), ...rest };
    // One finding per rule, place and severity: a file shared by several launches (a script used by two compose
    // services, a Dockerfile built by several) is reported once, naming every launch that runs it; a launch that
    // judges the place differently (a compose service whose environment leaves the script's path open) gets its own.
    const key = `${f.ruleId}\0${f.file}\0${f.range.start.offset}\0${f.range.end.offset}\0${f.severity}`;
    // compose/Kubernetes: name the service or container, the YAML document and the field path
    const rel = launch && isOrchestrated(launch) ? relatedFor(launch, f, (file) => this.docs.get(file) ?? this.store.byPath(file)) : undefined;
    const first = this.seen.get(key);
    if (first) {
      const more = [...(f.related ?? []), ...(rel ? [rel] : [])];
      for (const m of more)
        if (!first.related?.some((x) => x.file === m.file && x.message === m.message && x.range.start.offset === m.range.start.offset)) first.related = [...(first.related ?? []), m];
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

interface Counts {
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
