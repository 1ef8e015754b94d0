/** Reading what the Engine's archive API returns (a tar stream), without a tar library: one entry is all pid1 reads. */

interface TarEntry {
  name: string;
  type: string;
  link: string;
  content: Buffer;
}

/** The first entry of a tar stream (the archive API returns one entry for a file or symlink). */
export function firstTarEntry(buf: Buffer): TarEntry | undefined {
  let off = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) return undefined;
    const str = (a: number, b: number): string => h.subarray(a, b).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(str(124, 136).trim() || '0', 8);
    const type = str(156, 157) || '0';
    const body = buf.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    if (type === 'K') {
      longLink = body.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    if (type === 'x' || type === 'g') continue;
    return { name: longName ?? str(0, 100), type, link: longLink ?? str(157, 257), content: body };
  }
  return undefined;
}
