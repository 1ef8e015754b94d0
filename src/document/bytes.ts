/**
 * A document's text is its bytes decoded as UTF-8, with U+FFFD for every byte sequence that is not UTF-8
 * (Buffer#toString). Edits are made on the bytes, never by re-encoding the text, so that every byte
 * outside an edit stays as it was, valid UTF-8 or not: this module maps the text's UTF-16 offsets back to
 * byte offsets, by decoding the bytes again with the WHATWG UTF-8 decoder (one U+FFFD per maximal invalid
 * subpart, https://encoding.spec.whatwg.org/#utf-8-decoder), whose output is checked against the text.
 */
import { isUtf8 } from 'node:buffer';

/** Byte offset of each UTF-16 code unit of the text, and of its end; -1 for the second half of a surrogate pair. */
interface ByteMap {
  offsets: Int32Array;
  /** The bytes are valid UTF-8 (the text holds no U+FFFD that stands for other bytes). */
  valid: boolean;
}

/** The byte map of `bytes`, or undefined when its decoding is not `text` (then no edit can be mapped). */
export function byteMap(bytes: Buffer, text: string): ByteMap | undefined {
  if (isUtf8(bytes)) {
    const offsets = new Int32Array(text.length + 1);
    let b = 0;
    for (let i = 0; i < text.length; i++) {
      offsets[i] = b;
      const c = text.charCodeAt(i);
      if (c < 0x80) b += 1;
      else if (c < 0x800) b += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        b += 4;
        offsets[++i] = -1;
      } else b += 3;
    }
    offsets[text.length] = b;
    return b === bytes.length ? { offsets, valid: true } : undefined;
  }
  const d = decodeWithOffsets(bytes);
  return d.text === text ? { offsets: d.offsets, valid: false } : undefined;
}

/** WHATWG UTF-8 decoding, with the byte offset each code unit came from. */
export function decodeWithOffsets(bytes: Uint8Array): { text: string; offsets: Int32Array } {
  const units: number[] = [];
  const offsets: number[] = [];
  const emit = (cp: number, at: number): void => {
    if (cp > 0xffff) {
      const v = cp - 0x10000;
      units.push(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
      offsets.push(at, -1);
    } else {
      units.push(cp);
      offsets.push(at);
    }
  };
  let needed = 0;
  let seen = 0;
  let cp = 0;
  let lower = 0x80;
  let upper = 0xbf;
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (needed === 0) {
      start = i;
      if (byte <= 0x7f) emit(byte, i);
      else if (byte >= 0xc2 && byte <= 0xdf) {
        needed = 1;
        cp = byte & 0x1f;
      } else if (byte >= 0xe0 && byte <= 0xef) {
        if (byte === 0xe0) lower = 0xa0;
        if (byte === 0xed) upper = 0x9f;
        needed = 2;
        cp = byte & 0xf;
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        if (byte === 0xf0) lower = 0x90;
        if (byte === 0xf4) upper = 0x8f;
        needed = 3;
        cp = byte & 0x7;
      } else emit(0xfffd, i);
      continue;
    }
    if (byte < lower || byte > upper) {
      // the sequence so far is one U+FFFD; this byte starts afresh
      needed = seen = cp = 0;
      lower = 0x80;
      upper = 0xbf;
      emit(0xfffd, start);
      i--;
      continue;
    }
    lower = 0x80;
    upper = 0xbf;
    cp = (cp << 6) | (byte & 0x3f);
    if (++seen !== needed) continue;
    emit(cp, start);
    needed = seen = cp = 0;
  }
  if (needed !== 0) emit(0xfffd, start);
  offsets.push(bytes.length);
  let text = '';
  for (let i = 0; i < units.length; i += 8192) text += String.fromCharCode(...units.slice(i, i + 8192));
  return { text, offsets: Int32Array.from(offsets) };
}
