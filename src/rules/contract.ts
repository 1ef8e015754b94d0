/**
 * The rule contract, in the spirit of ESLint's `meta` + `create`: each rule carries its metadata (id,
 * severity, docs, which launch kinds it reads, whether it fixes, its messages by id, examples that are
 * run as tests) beside its check. A rule is a small pure function over a launch (or a whole source
 * result) that reports findings through its context; the engine turns reports into findings, applies
 * the severity policy and suppressions, and refuses what the metadata does not allow.
 */
import type { Range } from '../document/text.js';
import type { Fix } from '../document/edit.js';
import type { Launch, LaunchKind, SourceResult } from '../sources/launch.js';

export type Severity = 'error' | 'warning' | 'info';

export interface RelatedLocation {
  file: string;
  range: Range;
  message: string;
}

/** What a rule found, after the engine applied severity, messages and suppressions. */
export interface Finding {
  ruleId: string;
  /** Which of the rule's messages (meta.messages) this is: stable across rewording. */
  messageId: string;
  severity: Severity;
  message: string;
  /** Why, in kernel/runtime terms: the signal's path, one line each. */
  why: string[];
  file: string;
  range: Range;
  fix?: Fix;
  /** Advice when no safe automatic fix exists. */
  suggestion?: string;
  related?: RelatedLocation[];
  /** Set when an inline comment or the config suppressed it. */
  suppressed?: { kind: 'inSource' | 'external'; justification: string };
}

interface RuleExample {
  title: string;
  /** File name for the example (Dockerfile, entrypoint.sh, compose.yaml, deployment.yaml). */
  file?: string;
  /** Reported by this rule (the docs page shows it as "reported"; a test checks that it is). */
  bad: string;
  /** Not reported by this rule (a test checks that it is not). */
  good?: string;
  /** Other files of the build context the example needs: name -> content. */
  files?: Record<string, string>;
}

export interface RuleMeta {
  /** Stable id, used in output, config and `# pid1-ignore`. */
  id: string;
  /** Default severity: error = the stop signal will not reach the service gracefully; warning = depends on what pid1 cannot see; info = advice. */
  severity: Severity;
  /** One line. */
  title: string;
  /** Markdown: what happens, in kernel/runtime terms. */
  description: string;
  /** What `--fix` does, when it can. */
  fix?: string;
  /** Whether the rule may attach fixes; the engine refuses a fix from a rule that is not fixable. */
  fixable: boolean;
  /** Which launch kinds (and documents) it reads; the engine refuses a finding on any other kind. */
  sources: readonly LaunchKind[];
  /** Message templates by id; `{{name}}` is replaced by the report's data. */
  messages: Readonly<Record<string, string>>;
  examples: RuleExample[];
}

/** What a rule reports; the engine adds the rule id, the final severity and the message text. */
export interface Report {
  messageId: string;
  data?: Readonly<Record<string, string | number>>;
  file: string;
  range: Range;
  why: string[];
  fix?: Fix;
  suggestion?: string;
  related?: RelatedLocation[];
  /** Another severity than the rule's default (e.g. warning when the outcome is uncertain). */
  severity?: Severity;
  /**
   * For a finding of a whole source (checkSource): the place is in a stage that does not end up in the
   * image. The engine makes such findings info, as it does for launches outside the target.
   */
  outsideTarget?: boolean;
}

export interface RuleContext {
  result: SourceResult;
  report(report: Report): void;
}

export interface Rule {
  meta: RuleMeta;
  /** Runs once per launch the source found. */
  checkLaunch?(launch: Launch, ctx: RuleContext): void;
  /** Runs once per document. */
  checkSource?(result: SourceResult, ctx: RuleContext): void;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}

/** Fill a message template: `{{name}}` -> data[name]. A placeholder without data is an error in the rule. */
export function formatMessage(template: string, data: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => {
    const v = data[name];
    if (v === undefined) throw new Error(`message placeholder {{${name}}} has no data`);
    return String(v);
  });
}
