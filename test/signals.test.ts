import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARCHES, decodeMask, encodeMask, maskDigits, parseSignal, signalFate, signalName, defaultAction, type Arch } from '../src/model/signals.js';

const names = (hex: string, arch: Arch = 'generic'): string[] => decodeMask(hex, arch).map((n) => signalName(n, arch));

test("decodes the dash-as-PID-1 mask and gunicorn's mask", () => {
  assert.deepEqual(names('0000000000010002'), ['SIGINT', 'SIGCHLD']);
  assert.deepEqual(names('0000000008314a07'), ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGCHLD', 'SIGTTIN', 'SIGTTOU', 'SIGWINCH']);
});

test('mask length follows the architecture: MIPS has 128 signals and 32 digits', () => {
  assert.equal(maskDigits('generic'), 16);
  assert.equal(maskDigits('mips'), 32);
  assert.deepEqual(names('00000000000000000000000000004000', 'mips'), ['SIGTERM']);
  assert.equal(signalName(128, 'mips', 'kernel'), 'SIGRTMAX');
  assert.equal(signalName(127, 'mips', 'glibc'), 'SIGRTMAX'); // glibc's MIPS SIGRTMAX is 127
  assert.throws(() => decodeMask('0000000000004000', 'mips'), /16 digits, mips masks have 32/);
});

test('numbers differ per architecture', () => {
  const expect: Record<Arch, Record<string, number>> = {
    generic: { SIGUSR1: 10, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19, SIGSTKFLT: 16, SIGPWR: 30 },
    alpha: { SIGUSR1: 30, SIGCHLD: 20, SIGCONT: 19, SIGSTOP: 17, SIGEMT: 7, SIGPWR: 29 },
    sparc: { SIGUSR1: 30, SIGCHLD: 20, SIGCONT: 19, SIGSTOP: 17, SIGEMT: 7, SIGPWR: 29 },
    mips: { SIGUSR1: 16, SIGCHLD: 18, SIGCONT: 25, SIGSTOP: 23, SIGEMT: 7, SIGPWR: 19 },
    parisc: { SIGUSR1: 16, SIGCHLD: 18, SIGCONT: 26, SIGSTOP: 24, SIGSTKFLT: 7, SIGXCPU: 12 },
  };
  for (const arch of ARCHES) {
    for (const [name, n] of Object.entries(expect[arch])) {
      assert.equal(parseSignal(name, arch), n, `${name} on ${arch}`);
      assert.equal(signalName(n, arch), name, `${n} on ${arch}`);
    }
    assert.equal(parseSignal('TERM', arch), 15);
    assert.equal(parseSignal('KILL', arch), 9);
  }
  assert.equal(parseSignal('SIGINFO', 'alpha'), 29);
  assert.equal(parseSignal('LOST', 'sparc'), 29);
  assert.equal(parseSignal('IOT'), 6);
  assert.equal(parseSignal('poll'), 29);
});

test("real-time signals: the kernel's SIGRTMIN (32) and glibc's (34) are explicit", () => {
  assert.equal(signalName(34, 'generic', 'glibc'), 'SIGRTMIN');
  assert.equal(signalName(35, 'generic', 'glibc'), 'SIGRTMIN+1');
  assert.equal(signalName(64, 'generic', 'glibc'), 'SIGRTMAX');
  assert.equal(signalName(50, 'generic', 'glibc'), 'SIGRTMAX-14'); // as `kill -l` prints it
  assert.equal(signalName(49, 'generic', 'glibc'), 'SIGRTMIN+15');
  assert.equal(signalName(32, 'generic', 'glibc'), 'SIG32');
  assert.equal(signalName(33, 'generic', 'glibc'), 'SIG33');
  assert.equal(signalName(32, 'generic', 'kernel'), 'SIGRTMIN');
  assert.equal(signalName(34, 'generic', 'kernel'), 'SIGRTMIN+2');
  assert.equal(parseSignal('RTMIN+3', 'generic', 'glibc'), 37);
  assert.equal(parseSignal('SIGRTMIN+3', 'generic', 'kernel'), 35);
  assert.equal(parseSignal('RTMAX-1'), 63);
  assert.throws(() => parseSignal('RTMIN+40'), /outside SIGRTMIN..SIGRTMAX/);
  // Every number round-trips through its name under both bases.
  for (const rt of ['kernel', 'glibc'] as const) {
    for (let n = 1; n <= 64; n++) assert.equal(parseSignal(signalName(n, 'generic', rt), 'generic', rt), n);
  }
});

test('encode is the inverse of decode', () => {
  for (const arch of ARCHES) {
    const sigs = [1, 2, 15, 17, 31, 32, 40, arch === 'mips' ? 128 : 64];
    assert.deepEqual(decodeMask(encodeMask(sigs, arch), arch), sigs);
  }
  assert.equal(encodeMask([2, 17]), '0000000000010002');
});

test('malformed masks are rejected with a clear message', () => {
  assert.throws(() => decodeMask('00000000000g0002'), /malformed signal mask "00000000000g0002": expected hexadecimal/);
  assert.throws(() => decodeMask(''), /malformed/);
  assert.throws(() => decodeMask('10002'), /5 digits, generic masks have 16/);
  assert.throws(() => decodeMask('00000000000000000010002'), /23 digits/);
  assert.deepEqual(decodeMask('0x10002', 'generic', true), [2, 17]);
  assert.throws(() => parseSignal('SIGFOO'), /unknown signal "SIGFOO"/);
  assert.throws(() => parseSignal(65), /out of range 1..64/);
});

test('default actions (signal(7))', () => {
  assert.equal(defaultAction(15), 'terminate');
  assert.equal(defaultAction(3), 'core');
  assert.equal(defaultAction(17), 'ignore');
  assert.equal(defaultAction(20), 'stop');
  assert.equal(defaultAction(18), 'continue');
  assert.equal(defaultAction(40), 'terminate');
  assert.equal(defaultAction(20, 'alpha'), 'ignore'); // SIGCHLD is 20 on alpha
});

// The delivery rule table: [signal, caught, ignored, blocked, init, fromAncestor] -> fate.
const TERM = 15,
  KILL = 9,
  STOP = 19,
  CHLD = 17,
  INT = 2;
const cases: [string, number, number[], number[], number[], boolean, boolean, string][] = [
  ['handler at init', TERM, [TERM], [], [], true, true, 'handled'],
  ['SIG_IGN at init', TERM, [], [TERM], [], true, true, 'ignored'],
  ['default at init from the runtime: dropped', TERM, [], [], [], true, true, 'dropped'],
  ['default at init from inside: dropped', TERM, [], [], [], true, false, 'dropped'],
  ['SIGKILL at init from the runtime: kills', KILL, [], [], [], true, true, 'default'],
  ['SIGKILL at init from inside: refused', KILL, [], [], [], true, false, 'dropped'],
  ['SIGSTOP at init from the runtime', STOP, [], [], [], true, true, 'default'],
  ['SIGKILL cannot be caught even if the mask says so', KILL, [KILL], [], [], true, true, 'default'],
  ['default at a normal process: its action', TERM, [], [], [], false, false, 'default'],
  ['SIGCHLD default is ignore', CHLD, [], [], [], false, false, 'ignored'],
  ['blocked with handler: handled later', INT, [INT], [], [INT], true, true, 'handled'],
];
for (const [name, sig, caught, ignored, blocked, init, fromAncestor, fate] of cases) {
  test(`signalFate: ${name}`, () => {
    const f = signalFate(sig, { caught, ignored, blocked }, { namespaceInit: init, fromAncestor });
    assert.equal(f.fate, fate, f.why);
    assert.equal(f.blocked, blocked.includes(sig) && sig !== KILL && sig !== STOP);
  });
}
