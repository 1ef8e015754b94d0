/**
 * Progress for people at a terminal: one line on stderr, redrawn in place and cleared at the end. Nothing
 * at all when stderr is not a terminal (CI logs, pipes, files): their output stays exactly the report.
 */
import type { TestHooks } from '../runtime/run-test.js';

/** How long work runs before progress shows (PID1_PROGRESS_DELAY_MS: 0 shows it at once). */
function progressDelayMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.PID1_PROGRESS_DELAY_MS);
  return env.PID1_PROGRESS_DELAY_MS !== undefined && Number.isFinite(v) && v >= 0 ? v : 1000;
}

export class ProgressLine {
  private shown = false;
  private lastDraw = 0;
  private readonly started = Date.now();

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly delayMs = progressDelayMs(),
    private readonly everyMs = 100,
  ) {}

  /** Whether anything will ever be drawn (stderr is a terminal). */
  get active(): boolean {
    return this.stream.isTTY === true;
  }

  /** Draw this text, once the delay has passed and at most every `everyMs` (unless `now`). */
  update(text: string, now = false): void {
    if (!this.active) return;
    const t = Date.now();
    if (t - this.started < this.delayMs) return;
    if (!now && this.shown && t - this.lastDraw < this.everyMs) return;
    // one terminal line: a wrapped line could not be redrawn with \r
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    const line = text.length > width ? `${text.slice(0, width - 3)}...` : text;
    this.stream.write(`\r\x1b[K${line}`);
    this.shown = true;
    this.lastDraw = t;
  }

  /** Erase the line, if one was drawn. */
  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}

/**
 * `pid1 test`: while the stop waits out the grace period, count down to the runtime's SIGKILL (from the
 * moment the stop sequence starts; the kubelet's grace includes its preStop hook, as here).
 */
export function graceCountdown(stream: NodeJS.WriteStream = process.stderr): NonNullable<TestHooks['stopping']> {
  return ({ signal, graceSeconds }) => {
    // the countdown is the reason to watch: no delay
    const line = new ProgressLine(stream, 0, 0);
    if (!line.active) return () => undefined;
    const deadline = Date.now() + graceSeconds * 1000;
    let shown = '';
    const draw = (): void => {
      const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      const text = `pid1 test: ${signal} sent; waiting for the service to stop: SIGKILL in ${left} s`;
      if (text !== shown) line.update((shown = text), true);
    };
    draw();
    const timer = setInterval(draw, 250);
    return () => {
      clearInterval(timer);
      line.clear();
    };
  };
}
