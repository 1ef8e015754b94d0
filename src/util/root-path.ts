/**
 * Paths inside another root (a running container's filesystem seen through /proc/PID/root, an image's
 * unpacked layers). Symlinks are followed as the container would follow them: an absolute target is
 * inside the root, and `..` never climbs out of it. Only regular text files are read, with a size cap,
 * so a FIFO or a device planted in a container cannot hang or flood the host-side reader.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Resolve `p` inside `root`, following symlinks as the container would (absolute targets are inside it). */
export function resolveInRoot(root: string, p: string): string | undefined {
  let cur = '/';
  const parts = p.split('/').filter(Boolean);
  for (let hops = 0, i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (part === '.') continue;
    if (part === '..') {
      cur = path.posix.dirname(cur);
      continue;
    }
    const next = path.posix.join(cur, part);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(path.join(root, next));
    } catch {
      return undefined;
    }
    if (st.isSymbolicLink()) {
      if (++hops > 40) return undefined;
      const target = fs.readlinkSync(path.join(root, next));
      const rest = parts.slice(i + 1);
      const restart = target.startsWith('/') ? target : path.posix.join(cur, target);
      parts.splice(0, parts.length, ...restart.split('/').filter(Boolean), ...rest);
      cur = '/';
      i = -1;
      continue;
    }
    cur = next;
  }
  return cur;
}

/** The largest file read from another root: scripts and program sources, not data. */
const ROOT_READ_LIMIT = 1024 * 1024;

/**
 * A text file inside `root` (`p` absolute inside it): undefined when it is missing, not a regular file,
 * larger than the limit, or binary (a NUL byte in its first 4 KiB).
 */
export function readTextInRoot(root: string, p: string): string | undefined {
  const real = resolveInRoot(root, p);
  if (!real) return undefined;
  let fd: number | undefined;
  try {
    // O_NOFOLLOW: the last component was resolved above; a symlink swapped in since is refused.
    // O_NONBLOCK: opening a FIFO does not wait for a writer (it is refused below as not a regular file).
    fd = fs.openSync(path.join(root, real), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size > ROOT_READ_LIMIT) return undefined;
    const buf = Buffer.alloc(st.size);
    const n = fs.readSync(fd, buf, 0, st.size, 0);
    const text = buf.subarray(0, n);
    return text.subarray(0, 4096).includes(0) ? undefined : text.toString('utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
