/** What a rule is: metadata (for docs, SARIF and config) and checks over documents and launches. */
import type { Finding, Launch, Severity, SourceResult } from './types.js';

export interface RuleExample {
  title: string;
  /** File name for the example (Dockerfile, entrypoint.sh). */
  file?: string;
  bad: string;
  good?: string;
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
  fixable: boolean;
  /** Which documents it reads. */
  sources: readonly string[];
  examples: RuleExample[];
}

export type Report = Omit<Finding, 'ruleId' | 'severity' | 'suppressed'> & { severity?: Severity };

export interface RuleContext {
  result: SourceResult;
  report(finding: Report): void;
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
