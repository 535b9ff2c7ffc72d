import { StoreError } from './errors';
import type { CallOptions } from './types';

/** Default per-call timeout, ms. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Bytes a read must deliver within each timeout window to count as progress: a server that trickles a byte now and
 * then would otherwise hold a read, and the command waiting on it, open without end.
 */
export const MIN_PROGRESS_BYTES = 1024;

/**
 * Cancellation and timeout of one store call as one AbortSignal. The timeout is an idle timeout: `touch()` restarts
 * it, so a long listing or download that keeps making progress does not time out; a read reports its bytes through
 * `received()`, which counts as progress only per MIN_PROGRESS_BYTES. The abort reason is the StoreError to reject
 * with (`cancelled` or `timeout`).
 */
export class Deadline {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onAbort = (): void => this.abort('cancelled', 'cancelled');
  private outer: AbortSignal | undefined;
  /** Bytes received since the idle timer last restarted. */
  private trickled = 0;
  readonly timeoutMs: number;

  constructor(
    options: CallOptions | undefined,
    defaultTimeoutMs: number,
    private readonly store: string,
    private readonly path: string | undefined,
    private readonly what: string,
  ) {
    this.timeoutMs = options?.timeoutMs ?? defaultTimeoutMs;
    const outer = options?.signal;
    if (outer?.aborted) {
      this.onAbort();
    } else {
      outer?.addEventListener('abort', this.onAbort, { once: true });
      this.outer = outer;
      this.touch();
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.controller.signal.aborted;
  }

  /** The StoreError that aborted this call, if it was aborted. */
  get reason(): StoreError | undefined {
    return this.aborted ? (this.controller.signal.reason as StoreError) : undefined;
  }

  /** Restarts the idle timer (call on progress). */
  touch(): void {
    if (this.aborted) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.trickled = 0;
    if (this.timeoutMs > 0 && Number.isFinite(this.timeoutMs)) {
      // Not unref'd: a request whose connection closed without an answer may hold nothing else open, and the process
      // must then end with this timeout, not exit as if the call had succeeded.
      this.timer = setTimeout(() => this.abort('timeout', this.stalled()), this.timeoutMs);
    }
  }

  /**
   * Stops the idle timer until the next `touch()`, while the call waits on its caller rather than on the server (a
   * listing whose consumer is busy with a page); the caller's signal still cancels.
   */
  pause(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Counts bytes a read delivered: the idle timer restarts once MIN_PROGRESS_BYTES arrived since it last did. */
  received(bytes: number): void {
    this.trickled += bytes;
    if (this.trickled >= MIN_PROGRESS_BYTES) this.touch();
  }

  private stalled(): string {
    return this.trickled > 0
      ? `only ${this.trickled} bytes within ${this.timeoutMs} ms while ${this.what}: the server is sending too slowly to finish`
      : `no answer within ${this.timeoutMs} ms while ${this.what}`;
  }

  /** Cancels the call now (as its caller's signal would). */
  cancel(): void {
    this.abort('cancelled', 'cancelled');
  }

  /** Throws the abort reason if the call was cancelled or timed out. */
  check(): void {
    if (this.aborted) throw this.reason!;
  }

  private abort(code: 'cancelled' | 'timeout', detail: string): void {
    if (this.aborted) return;
    this.clear();
    this.controller.abort(new StoreError(code, this.store, this.path, detail));
  }

  private clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.outer?.removeEventListener('abort', this.onAbort);
  }

  /** Stops the timer and detaches from the caller's signal; call when the operation ends. */
  dispose(): void {
    this.clear();
  }
}
