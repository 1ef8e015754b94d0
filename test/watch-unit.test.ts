/**
 * The pieces of pid1 watch that take text or numbers: the trace_pipe parser (on lines captured from
 * this kernel, 6.18, including a process that named itself "a\nb c=1"), the kernel filters, the
 * result words, and the sanitiser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceParser, parseRecord, type SignalRecord } from '../src/runtime/trace/parse.js';
import { MAX_FILTER_BYTES, and, fits, pidFilter, signalFilter } from '../src/runtime/trace/filter.js';
import { explainResult, ignoredReason, siCodeName, type TargetState } from '../src/runtime/trace/result.js';
import { describeSender, isRuntimeComm } from '../src/runtime/trace/sender.js';
import { ownerOf } from '../src/runtime/trace/tracefs.js';
import { safeName } from '../src/util/sanitize.js';
import { formatWatchEvent } from '../src/report/watch.js';

// Captured from /sys/kernel/tracing/instances/*/trace_pipe (trace_clock mono, options/annotate 0).
const RUNC_TERM = '            runc-20061   [000] d..1.   579.712288: signal_generate: sig=15 errno=0 code=0 comm=sh pid=19876 grp=1 res=1';
const ZAP_KILL = '              sh-19876   [001] dN.2.   581.723795: signal_generate: sig=9 errno=0 code=128 comm=svc pid=19915 grp=1 res=0';
const EXIT = '             svc-19916   [001] .....   581.724041: sched_process_exit: comm=svc pid=19916 prio=120 group_dead=true';
const TKILL = '          docker-9091    [000] d..1.   533.869580: signal_generate: sig=23 errno=0 code=-6 comm=docker pid=9094 grp=0 res=0';
const FORK = '            bash-6870    [000] .....  1139.363208: sched_process_fork: comm=bash pid=6870 child_comm=bash child_pid=6970';
// A process named "a\nb c=1" (prctl/proc comm: any bytes but NUL): both the task column and the comm field split.
const SPLIT = [
  '         a',
  'b c=1-6968    [000] d..1.  1139.362844: signal_generate: sig=12 errno=0 code=0 comm=a',
  'b c=1 pid=6968 grp=1 res=0',
  '         a',
  'b c=1-6968    [000] .....  1139.362852: sched_process_exit: comm=a',
  'b c=1 pid=6968 prio=120 group_dead=true',
  '         a',
  'b c=1-6968    [000] .....  1139.362786: sched_process_fork: comm=a',
  'b c=1 pid=6968 child_comm=a',
  'b c=1 child_pid=6969',
];

test('trace lines: the fields of signal_generate, sched_process_exit and sched_process_fork', () => {
  assert.deepEqual(parseRecord(RUNC_TERM), { task: 'runc', tid: 20061, cpu: 0, seconds: 579.712288, kind: 'signal', sig: 15, errno: 0, code: 0, comm: 'sh', pid: 19876, group: true, result: 1 });
  assert.deepEqual(parseRecord(ZAP_KILL), { task: 'sh', tid: 19876, cpu: 1, seconds: 581.723795, kind: 'signal', sig: 9, errno: 0, code: 128, comm: 'svc', pid: 19915, group: true, result: 0 });
  assert.deepEqual(parseRecord(TKILL), { task: 'docker', tid: 9091, cpu: 0, seconds: 533.86958, kind: 'signal', sig: 23, errno: 0, code: -6, comm: 'docker', pid: 9094, group: false, result: 0 });
  assert.deepEqual(parseRecord(EXIT), { task: 'svc', tid: 19916, cpu: 1, seconds: 581.724041, kind: 'exit', comm: 'svc', pid: 19916, groupDead: true });
  assert.deepEqual(parseRecord(FORK), { task: 'bash', tid: 6870, cpu: 0, seconds: 1139.363208, kind: 'fork', parentComm: 'bash', parentPid: 6870, childComm: 'bash', childPid: 6970 });
  assert.deepEqual(parseRecord('CPU:1 [LOST 22308 EVENTS]'), { kind: 'lost', cpu: 1, count: 22308 });
  // With options/record-tgid (not used by pid1, but a user's instance may have it): "(  TGID)" after the thread.
  assert.equal((parseRecord('          docker-9091    (   9083) [000] d..1.   533.833156: signal_generate: sig=23 errno=0 code=-6 comm=docker pid=9083 grp=0 res=0') as SignalRecord).pid, 9083);
  // Kernels before 6.16 have no group_dead.
  assert.equal(parseRecord('             svc-19916   [001] .....   581.724041: sched_process_exit: comm=svc pid=19916 prio=120')?.kind, 'exit');
  for (const bad of [
    '',
    '# tracer: nop',
    'garbage',
    '            runc-20061   [000] d..1.   579.712288: signal_generate: sig=15',
    '            runc-20061   [000] d..1.   579.712288: sched_switch: prev_comm=a',
  ]) {
    assert.equal(parseRecord(bad), undefined, bad);
  }
});

test('a comm with newlines, spaces and "=" is joined back from its lines', () => {
  const p = new TraceParser();
  // Fed in odd-sized chunks: a read may end anywhere.
  const text = `${[RUNC_TERM, ...SPLIT, EXIT].join('\n')}\n`;
  const records = [];
  for (let i = 0; i < text.length; i += 37) records.push(...p.push(text.slice(i, i + 37)));
  assert.deepEqual(
    records.map((r) => r.kind),
    ['signal', 'signal', 'exit', 'fork', 'exit'],
  );
  const sig = records[1] as SignalRecord;
  assert.deepEqual([sig.task, sig.comm, sig.pid, sig.sig, sig.result], ['a\nb c=1', 'a\nb c=1', 6968, 12, 0]);
  assert.deepEqual(records[3], { task: 'a\nb c=1', tid: 6968, cpu: 0, seconds: 1139.362786, kind: 'fork', parentComm: 'a\nb c=1', parentPid: 6968, childComm: 'a\nb c=1', childPid: 6969 });
  assert.equal(p.unparsed, 0);
});

test('a comm that spells out a field (" pid=1 grp=1") cannot fake the end of a record', () => {
  const r = parseRecord('      x pid=1 gr-77      [000] d..1.  10.000001: signal_generate: sig=15 errno=0 code=0 comm=x pid=1 grp=1 pid=500 grp=1 res=1') as SignalRecord;
  assert.deepEqual([r.task, r.tid, r.comm, r.pid, r.result], ['x pid=1 gr', 77, 'x pid=1 grp=1', 500, 1]);
  // Non-UTF-8 bytes (read as latin1) come out as U+FFFD, never as raw bytes.
  const latin = parseRecord('             ab\xff-5 [000] d..1.  1.000000: signal_generate: sig=15 errno=0 code=0 comm=\xe9 pid=5 grp=1 res=0') as SignalRecord;
  assert.equal(latin.comm, '\ufffd');
});

test('lines that never form a record are dropped after a bound, and counted', () => {
  const p = new TraceParser();
  const junk = Array.from({ length: 40 }, (_, i) => `junk ${i}`).join('\n');
  const out = p.push(`${junk}\n${RUNC_TERM}\n`);
  assert.equal(out.length, 1);
  assert.equal(p.unparsed, 40);
});

test('kernel filters: routine signals left out, chosen signals, PID sets, the one-page limit', () => {
  assert.equal(signalFilter(undefined), 'sig != 14 && sig != 17 && sig != 23 && sig != 26 && sig != 27');
  assert.equal(signalFilter([15, 9, 15]), '(sig == 9 || sig == 15)');
  assert.equal(signalFilter([]), '');
  assert.equal(pidFilter('pid', [30, 10, 20]), '(pid == 10 || pid == 20 || pid == 30)');
  assert.equal(pidFilter('pid', []), '');
  assert.equal(and('a', '', 'b'), 'a && b');
  const many = pidFilter(
    'pid',
    Array.from({ length: 400 }, (_, i) => 100_000 + i),
  );
  assert.ok(!fits(many));
  assert.ok(
    fits(
      pidFilter(
        'pid',
        Array.from({ length: 200 }, (_, i) => 100_000 + i),
      ),
    ),
  );
  assert.equal(MAX_FILTER_BYTES, 4095);
});

const init = (over: Partial<TargetState> = {}): TargetState => ({
  namespaceInit: true,
  hostInit: false,
  kernelThread: false,
  exiting: false,
  masks: { ignored: [], caught: [2, 17], blocked: [] },
  ...over,
});

test("the kernel's result in words, and why a signal was ignored", () => {
  const rows: [number, number, TargetState, string, string | undefined][] = [
    [1, 15, init(), 'ignored: default action at a namespace init', 'namespace-init-default'],
    [0, 2, init(), 'delivered: a handler runs', undefined],
    [0, 9, init(), 'delivered', undefined],
    [1, 9, init(), 'ignored: default action at a namespace init', 'namespace-init-default'], // SIGKILL from inside the namespace
    [1, 9, init({ exiting: true }), 'ignored: the process was already exiting', 'exiting'],
    [1, 10, init({ namespaceInit: false, masks: { ignored: [10], caught: [], blocked: [] } }), 'ignored: the process set it to SIG_IGN', 'sig-ign'],
    [1, 28, init({ namespaceInit: false, masks: { ignored: [], caught: [], blocked: [] } }), 'ignored: its default action is to ignore it', 'default-ignore'],
    [1, 9, init({ namespaceInit: false, hostInit: true }), "ignored: SIGKILL and SIGSTOP never reach the host's init", 'host-init'],
    [1, 15, init({ namespaceInit: false, kernelThread: true, masks: { ignored: [], caught: [15], blocked: [] } }), 'ignored: a kernel thread takes only signals the kernel sends', 'kernel-thread'],
    [0, 15, init({ masks: { ignored: [], caught: [], blocked: [15] } }), 'delivered: blocked, it waits pending until unblocked or taken (sigwait/signalfd)', undefined],
    [2, 15, init(), 'already pending: the same signal was still pending, and a standard signal is queued only once', undefined],
    [3, 40, init(), 'queue overflow: the real-time signal was not queued (RLIMIT_SIGPENDING) and the sender got EAGAIN', undefined],
    [4, 40, init(), 'delivered without its siginfo: the signal queue was full', undefined],
    [7, 15, init(), 'result 7 (unknown to pid1)', undefined],
  ];
  for (const [code, sig, state, words, reason] of rows) {
    const e = explainResult(code, sig, state);
    assert.equal(e.words, words, `res=${code} sig=${sig}`);
    assert.equal(e.reason, reason, `res=${code} sig=${sig}`);
  }
  assert.equal(ignoredReason(15, init({ masks: undefined })), 'unknown');
  assert.deepEqual([0, 128, -6, -1, 5].map(siCodeName), ['SI_USER', 'SI_KERNEL', 'SI_TKILL', 'SI_QUEUE', '5']);
});

test('senders: the runtime, the kernel, a process of the container, the host', () => {
  for (const c of ['runc', 'crun', 'containerd-shim', 'conmon', 'dockerd', 'runsc-sandbox']) assert.ok(isRuntimeComm(c), c);
  for (const c of ['bash', 'sh', 'runc:[2:INIT]', 'kubelet']) assert.ok(!isRuntimeComm(c), c);
  const base = { pid: 10, tid: 12, code: 0, sig: 15, isInitOfTarget: false, nsPidInTarget: undefined, inContainer: true };
  assert.deepEqual(describeSender({ ...base, command: 'runc' }), { pid: 10, tid: 12, command: 'runc', role: 'runtime', description: 'the runtime (runc)' });
  assert.equal(describeSender({ ...base, command: 'sh', code: 128, sig: 9, isInitOfTarget: true }).description, 'the kernel (PID 1 of the namespace exited: every process in it is killed)');
  assert.equal(describeSender({ ...base, command: 'svc', nsPidInTarget: 1 }).description, 'svc (PID 1 in the container)');
  assert.equal(describeSender({ ...base, command: 'svc', nsPidInTarget: 3, inContainer: false }).description, 'svc (PID 3 in the namespace)');
  assert.equal(describeSender({ ...base, tid: 10, command: 'bash' }).description, 'bash (PID 10 on the host)');
  assert.equal(describeSender({ ...base, tid: 10, command: '\x1b]0;x\x07' }).command, '\\e]0;x\\x07');
});

test('instance names carry the owner PID', () => {
  assert.equal(ownerOf('pid1-4242'), 4242);
  assert.equal(ownerOf('pid1-4242-3'), 4242);
  assert.equal(ownerOf('user-4242'), undefined);
  assert.equal(ownerOf('pid1-x'), undefined);
});

test("pretty lines always start with pid1's own text", () => {
  const line = formatWatchEvent({
    event: 'signal',
    time: '2026-01-02T03:04:05.678Z',
    monotonic: 1,
    signal: 'SIGTERM',
    number: 15,
    result: 'ignored',
    reason: 'namespace-init-default',
    why: 'ignored: default action at a namespace init',
    code: 'SI_USER',
    group: true,
    target: { pid: 4242, nsPid: 1, command: safeName('\n::error::x') },
    sender: describeSender({ pid: 9, tid: 9, code: 0, sig: 15, isInitOfTarget: false, nsPidInTarget: undefined, inContainer: true, command: 'runc' }),
    container: { id: 'abc', name: 'web' },
  });
  assert.match(line, /^\d\d:\d\d:\d\d\.\d{3} {2}web {2}SIGTERM {2}the runtime \(runc\) -> PID 1 \\n::error::x \(host 4242\): ignored: default action at a namespace init\n$/);
});

test('a storm of the same signal: each repeat parsed with its own time, and a changed field breaks the repeat', () => {
  const p = new TraceParser();
  const lines = [RUNC_TERM, RUNC_TERM.replace('579.712288', '579.712299'), RUNC_TERM.replace('579.712288', '579.712301').replace('res=1', 'res=2'), RUNC_TERM.replace('579.712288', '580.000001')];
  const rs = p.push(`${lines.join('\n')}\n`) as SignalRecord[];
  assert.deepEqual(
    rs.map((r) => [r.seconds, r.result, r.pid, r.comm, r.task]),
    [
      [579.712288, 1, 19876, 'sh', 'runc'],
      [579.712299, 1, 19876, 'sh', 'runc'],
      [579.712301, 2, 19876, 'sh', 'runc'],
      [580.000001, 1, 19876, 'sh', 'runc'],
    ],
  );
});
