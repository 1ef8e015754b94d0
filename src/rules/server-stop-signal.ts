import type { Fix } from '../document/edit.js';
import { composeStopSignalFix } from '../sources/compose/fixes.js';
import { catalogueById } from '../model/catalogue.js';
import type { Launch } from '../sources/launch.js';
import { defineRule } from './contract.js';
import { diagnose, whyOf } from './diagnose.js';
import { anchorRange, at, stopSignalOf } from './util.js';

function fixFor(l: Launch, signal: string): Fix | undefined {
  // a compose service: stop_signal in the YAML (Kubernetes: no safe edit; lifecycle.stopSignal is alpha)
  if (l.kind === 'compose') return composeStopSignalFix(l, signal);
  if (l.kind === 'kubernetes') return undefined;
  const s = l.stopSignal;
  if (s.source === 'explicit' && s.span && s.span.doc === l.doc) {
    return { description: `set STOPSIGNAL ${signal}`, edits: [{ file: l.doc.file, start: s.span.start, end: s.span.end, text: `STOPSIGNAL ${signal}` }] };
  }
  if (s.source === 'base-image') return undefined;
  const a = l.entrypoint?.values.length ? l.entrypoint.span : l.cmd?.values.length ? l.cmd.span : undefined;
  if (!a || a.doc !== l.doc) return undefined;
  const line = a.doc.lines.position(a.start).line;
  const start = a.doc.lines.lineStart(line);
  const eol = a.doc.text.includes('\r\n') ? '\r\n' : '\n';
  return { description: `add STOPSIGNAL ${signal}`, edits: [{ file: l.doc.file, start, end: start, text: `STOPSIGNAL ${signal}${eol}` }] };
}

export default defineRule({
  meta: {
    id: 'server-stop-signal',
    severity: 'error',
    title: "The stop signal is not the server's graceful-shutdown signal",
    description: [
      'Some servers treat SIGTERM as "stop now" and shut down gracefully on another signal: nginx and php-fpm on SIGQUIT,',
      'Apache httpd on SIGWINCH; PostgreSQL on SIGINT (fast, clean) or SIGTERM (smart: waits for every client), while',
      'SIGQUIT is its immediate stop. With the wrong `STOPSIGNAL`, `docker stop` cuts open connections and requests.',
      'When the signal is inherited from a base image pid1 cannot see (the official nginx image sets `STOPSIGNAL SIGQUIT`),',
      'this is a warning.',
    ].join('\n'),
    fix: "Sets `STOPSIGNAL` to the server's graceful signal (replacing the existing one, or adding it before ENTRYPOINT/CMD).",
    fixable: true,
    sources: ['dockerfile', 'script', 'compose', 'kubernetes'],
    messages: {
      wrongSignal: '{{server}} shuts down gracefully on {{graceful}}, but the stop signal is {{signal}}{{unseenNote}}: {{note}}',
      noGracefulSignal: '{{server}} has no graceful-stop signal: {{signal}} ends it without draining',
    },
    examples: [
      {
        title: 'nginx with STOPSIGNAL SIGTERM',
        bad: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y nginx\nSTOPSIGNAL SIGTERM\nCMD ["nginx", "-g", "daemon off;"]',
        good: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y nginx\nSTOPSIGNAL SIGQUIT\nCMD ["nginx", "-g", "daemon off;"]',
      },
    ],
  },
  checkLaunch(l, ctx) {
    const d = diagnose(l);
    if (d.kind !== 'server-signal') return;
    const want = d.graceful[0];
    const sig = stopSignalOf(l);
    // The stop signal comes from a base image pid1 cannot see: it may set the right one (a warning).
    const unseen = l.stopSignal.source === 'unknown-base';
    if (want === undefined) {
      // No signal helps (Envoy): the advice is the catalogue's (drain first, e.g. in a preStop hook), not a STOPSIGNAL.
      const entry = d.proc.programs.at(-1)?.catalogue;
      ctx.report({
        ...anchorRange(l),
        ...(unseen ? { severity: 'warning' as const } : {}),
        messageId: 'noGracefulSignal',
        data: { server: d.proc.name, signal: sig },
        why: whyOf(l),
        suggestion: (entry ? catalogueById(entry)?.graceful.note : undefined) ?? 'drain the server before the stop signal (a preStop hook)',
      });
      return;
    }
    const fix = fixFor(l, want);
    const where = l.stopSignal.source === 'explicit' && l.stopSignal.span ? at(l.stopSignal.span) : anchorRange(l);
    ctx.report({
      ...where,
      ...(unseen ? { severity: 'warning' as const } : {}),
      messageId: 'wrongSignal',
      data: {
        server: d.proc.name,
        graceful: d.graceful.join(' or '),
        signal: sig,
        unseenNote: unseen ? ` (unless ${l.shell.image ?? 'the base image'} sets STOPSIGNAL)` : '',
        note: d.proc.note ?? 'it stops at once',
      },
      why: whyOf(l),
      ...(fix ? { fix } : { suggestion: `set STOPSIGNAL ${want}` }),
    });
  },
});
