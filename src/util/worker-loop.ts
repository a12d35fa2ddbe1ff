/** One pass over a queue; `signal` aborts when the loop stops, so a pass can leave the rest for the next start. */
export type WorkerPass = (signal: AbortSignal) => Promise<void>;

export interface WorkerLoopOptions {
  /** How often a pass runs without a wake-up (retries and held rows come due on their own). */
  intervalMs: number;
  /** A failed pass must not end the loop: the work is still queued for the next pass. */
  onError(error: unknown): void;
}

/**
 * Drains a queue: one pass at a time, started by `wake()` or on an interval. A wake-up during a pass is coalesced
 * into one more pass after it, so work committed mid-pass is never missed and passes never overlap. `stop()` ends
 * the interval, aborts the pass under way and waits for it to return.
 */
export class WorkerLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private readonly stopping = new AbortController();

  constructor(
    private readonly pass: WorkerPass,
    private readonly options: WorkerLoopOptions,
  ) {}

  /** Runs a pass now and then every interval, until stopped. */
  start(): void {
    if (this.stopping.signal.aborted || this.timer !== undefined) return;
    this.timer = setInterval(() => this.wake(), this.options.intervalMs);
    this.wake();
  }

  /** Runs a pass now, or once more after the one under way. */
  wake(): void {
    if (this.stopping.signal.aborted) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass(this.stopping.signal)
      .catch((error: unknown) => this.options.onError(error))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Stops for good; resolves once the pass under way (if any) has returned. */
  async stop(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.timer);
    this.timer = undefined;
    this.again = false;
    await this.running;
  }
}
