/**
 * renameat2(RENAME_EXCHANGE): swap two paths atomically (Linux >= 3.15, glibc >= 2.28; ext4, xfs, btrfs,
 * tmpfs, overlayfs; man 2 rename). --fix uses it to put the fixed file in place and get back, in the same
 * step, exactly the file it replaced, to check it is still the one that was read. Node has no binding, so
 * koffi calls libc (loaded on first use: only a --fix that writes pays for it).
 */
import { createRequire } from 'node:module';
import type Koffi from 'koffi';

const AT_FDCWD = -100;
const RENAME_EXCHANGE = 2;
// errno values that mean "not here": no such call, or the filesystem does not support the flag
const ENOSYS = 38;
const EINVAL = 22;
const EOPNOTSUPP = 95;

type Renameat2 = (olddirfd: number, oldpath: string, newdirfd: number, newpath: string, flags: number) => number;

let bound: { renameat2: Renameat2; errno: () => number } | null | undefined;

function bind(): typeof bound {
  if (bound !== undefined) return bound;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof Koffi;
    const libc = koffi.load('libc.so.6');
    const renameat2 = libc.func('int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags)') as Renameat2;
    bound = { renameat2, errno: () => koffi.errno() };
  } catch {
    bound = null; // not glibc, or no koffi build for this platform: callers fall back to rename(2)
  }
  return bound;
}

/** Swap `a` and `b` atomically: 'ok', 'unsupported' (use rename), or the errno of a real failure. */
export function exchangePaths(a: string, b: string): 'ok' | 'unsupported' | { errno: number } {
  const b2 = bind();
  if (!b2) return 'unsupported';
  if (b2.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) === 0) return 'ok';
  const e = b2.errno();
  return e === ENOSYS || e === EINVAL || e === EOPNOTSUPP ? 'unsupported' : { errno: e };
}
