/** `$(VAR)` in a container's command, args and env values, expanded as the kubelet does. */
import type { Chars } from '../../document/text.js';

/** `$(VAR)` expansion as the kubelet does it (third_party/forked/golang/expansion): `$$` is a literal `$`. */
export function expandK8s(input: Chars, env: ReadonlyMap<string, string>): Chars & { changed: boolean } {
  const s = input.value;
  const out: Chars & { changed: boolean } = { value: '', offsets: [], editable: [], changed: false };
  const lit = (i: number): void => {
    out.value += s[i];
    out.offsets.push(input.offsets[i] ?? 0);
    out.editable.push(input.editable[i] ?? false);
  };
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '$' || i + 1 >= s.length) {
      lit(i);
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out.value += '$';
      out.offsets.push(input.offsets[i] ?? 0);
      out.editable.push(false);
      out.changed = true;
      i++;
      continue;
    }
    if (next === '(') {
      const close = s.indexOf(')', i + 2);
      const name = close > 0 ? s.slice(i + 2, close) : undefined;
      const v = name !== undefined ? env.get(name) : undefined;
      if (v !== undefined) {
        out.value += v;
        for (let k = 0; k < v.length; k++) {
          out.offsets.push(input.offsets[i] ?? 0);
          out.editable.push(false);
        }
        out.changed = true;
        i = close;
        continue;
      }
    }
    lit(i);
  }
  return out;
}

/** `$(VAR)` expansion of a plain string. */
export function expandK8sString(s: string, env: ReadonlyMap<string, string>): string {
  return expandK8s({ value: s, offsets: Array.from({ length: s.length }, () => 0), editable: Array.from({ length: s.length }, () => false) }, env).value;
}
