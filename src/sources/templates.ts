/**
 * Templates: files a tool renders before anything builds or applies them (docker-library's
 * `Dockerfile.template` through apply-templates.sh, balena's `%%BALENA_MACHINE_NAME%%`, Helm charts). What runs is
 * the rendered output, so a source reports what the file is instead of linting template syntax as if it ran.
 */
import path from 'node:path';
import type { Document } from '../document/document.js';
import type { SourceNotice } from './launch.js';

/** File names that say "template". */
const TEMPLATE_NAME = /\.(template|tpl|tmpl|gotmpl|j2|jinja2?|mustache)$/i;

/**
 * Go text/template actions as Helm writes them: `{{ .Values.x }}`, `{{- if ... }}`, `{{ include ... }}`,
 * `{{ $var }}`, a `{{/*` comment. Argo Workflows' `{{inputs.parameters.x}}`, `{{item}}` and `{{=expr}}` are
 * not: Argo substitutes them at run time inside valid manifests.
 */
const GO_ACTION = /\{\{-?\s*(?:[.$()]|\/\*|(?:if|else|end|range|with|define|template|include|block|toYaml|toJson|tpl|printf|required|default|quote|nindent|indent|lookup)\b)/;

/**
 * A Go action where YAML structure is (a line of its own, a key's whole value, a list item): a Helm
 * template, as is Helm's `.Values`/`.Release`/`.Chart` anywhere. Another action inside a string (a Prometheus
 * alert's `summary: "{{ $labels.instance }} down"` in a ConfigMap) is data, not a template.
 */
const GO_ACTION_IN_STRUCTURE = new RegExp(`^[ \\t]*(?:- )?(?:[\\w.\\/-]+:[ \\t]+)?${GO_ACTION.source}|\\{\\{-?\\s*\\.(?:Values|Release|Chart|Capabilities|Files|Template)\\b`, 'm');

/** Any `{{ ... }}`, `{% ... %}` or `%%VAR%%` (a Dockerfile has none of these outside quoted RUN arguments). */
const ANY_SYNTAX: readonly [RegExp, string][] = [
  [/\{\{[^\n]*?\}\}|\{\{-?\s*$/m, 'template syntax `{{ }}`'],
  [/\{%-?\s*\w[^\n]*?%\}/, 'Jinja syntax `{% %}`'],
  [/%%[A-Z][A-Z0-9_]*%%/, 'placeholders `%%VAR%%`'],
];

/** `{{ name }}` placeholders (a script's `sed s/{{cell}}/.../`, Jinja) and Jinja statements. */
const PLACEHOLDER = /\{\{-?\s*[A-Za-z_][\w.]*\s*-?\}\}|\{%-?\s*\w[^\n]*?%\}/;

/** Argo Workflows objects: `{{inputs.parameters.x}}` is substituted by Argo at run time, in a valid manifest. */
const ARGO = /^apiVersion:[ \t]*["']?argoproj\.io\//m;

/**
 * YAML that is a template (a Helm chart's, or one a script or Jinja renders): not a manifest until rendered.
 * Argo's own `{{...}}` placeholders do not count.
 */
export function isGoTemplate(text: string): boolean {
  // every pattern needs `{{` or `{%`: most YAML has neither, and the line-anchored pattern costs a try per line
  if (!text.includes('{{') && !text.includes('{%')) return false;
  return GO_ACTION_IN_STRUCTURE.test(text) || (!ARGO.test(text) && PLACEHOLDER.test(text));
}

function syntaxIn(text: string): { what: string; at: number; length: number } | undefined {
  let best: { what: string; at: number; length: number } | undefined;
  for (const [re, what] of ANY_SYNTAX) {
    const m = re.exec(text);
    if (m && (!best || m.index < best.at)) best = { what, at: m.index, length: m[0].length };
  }
  return best;
}

function renderHint(doc: Document, what: string): string {
  if (what.includes('%%')) return 'balena renders it (`balena build`/`balena push`) for the target device';
  return doc.kind === 'dockerfile' ? 'render it with the tool that generates the Dockerfiles from it' : 'render it (`helm template CHART | pid1 lint -`)';
}

/**
 * Whether a Dockerfile is a template: its name says so and it holds template syntax, or it fails to parse
 * where template syntax is (`unknown instruction: {{`). A Dockerfile that parses and is not named as a
 * template is linted as written, whatever its RUN lines quote (`docker inspect -f '{{.Id}}'`).
 */
export function dockerfileTemplate(doc: Document, failedAt: number | undefined): SourceNotice | undefined {
  const found = syntaxIn(doc.text);
  if (!found) return undefined;
  const named = TEMPLATE_NAME.test(path.basename(doc.file));
  let onFailedLine = false;
  if (failedAt !== undefined) {
    const lineStart = doc.text.lastIndexOf('\n', failedAt - 1) + 1;
    const lineEnd = doc.text.indexOf('\n', failedAt);
    onFailedLine = syntaxIn(doc.text.slice(lineStart, lineEnd < 0 ? doc.text.length : lineEnd)) !== undefined;
  }
  if (!named && !onFailedLine) return undefined;
  return { code: 'template', span: { doc, start: found.at, end: found.at + found.length }, syntax: found.what, render: renderHint(doc, found.what) };
}

/** Whether a YAML file is a Helm (Go) template. */
export function yamlTemplate(doc: Document): SourceNotice | undefined {
  if (!isGoTemplate(doc.text)) return undefined;
  const m = GO_ACTION_IN_STRUCTURE.exec(doc.text);
  const helm = m !== null;
  const start = helm ? doc.text.indexOf('{{', m.index) : (PLACEHOLDER.exec(doc.text)?.index ?? 0);
  const close = doc.text.slice(start, start + 2) === '{%' ? '%}' : '}}';
  const end = doc.text.indexOf(close, start);
  return {
    code: 'template',
    span: { doc, start, end: end < 0 ? start + 2 : end + 2 },
    syntax: helm ? 'Go template syntax `{{ }}`, as in a Helm chart' : 'template placeholders `{{ }}`',
    render: helm ? renderHint(doc, '{{') : 'render it with the tool or script that fills in its placeholders',
  };
}
