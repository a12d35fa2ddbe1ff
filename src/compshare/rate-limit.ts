import { sleep as timerSleep, systemClock, type Sleep } from '../util/clock.js';

/**
 * Timers fire on whole milliseconds: a shorter wait would round up to one and add it to every call, so a slot due
 * within this is granted at once.
 */
export const TIMER_GRANULARITY_MS = 1;

/**
 * A window is this much longer than the second it stands for: a request reaches the gateway a little after its
 * grant, by a varying amount, and without the margin the end of one full window and the start of the next could
 * arrive inside one second there.
 */
export const WINDOW_MARGIN_MS = 100;

interface Waiter {
  grant(): void;
}

/**
 * At most `rate` requests in any window of one second (for a rate below one, one request per 1/rate seconds), each
 * window WINDOW_MARGIN_MS longer for safety, granted in the order they asked: exactly what the gateway's 153 "rate limited" punishes, and no stricter, so a
 * tick's first `rate` polls go out at once instead of 1/rate apart. Callers wait in one queue and each grant is
 * decided when it comes due, so a lower rate or a hold applies to everyone already waiting, not only to later
 * callers. Grants are timed on the monotonic clock (a wall clock stepped back an hour must not hold every request
 * back for that hour) and recorded when they happen, so a late timer never lets two requests share one place in a
 * window.
 */
export class RateLimiter {
  /** When the latest grants happened, oldest first; never more than the window holds. */
  private readonly granted: number[] = [];
  private holdUntilMs = -Infinity;
  private readonly queue: Waiter[] = [];
  private draining = false;
  /** Ends the drain loop's sleep once every waiter has left, so no timer outlives them. */
  private drainWake: AbortController | undefined;

  constructor(
    /** Asked at every grant: the rate may change between two (see AdaptiveRate). */
    private readonly requestsPerSecond: () => number,
    private readonly monotonic: () => number = systemClock.monotonic,
    private readonly sleep: Sleep = timerSleep,
  ) {}

  /** Resolves when the caller may send its request, or as soon as `signal` aborts (the caller then checks why). */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    const now = this.monotonic();
    if (this.queue.length === 0 && this.nextSlotMs() < now + TIMER_GRANULARITY_MS) {
      this.grant(now);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const leave = () => {
        this.queue.splice(this.queue.indexOf(waiter), 1);
        if (this.queue.length === 0) this.drainWake?.abort();
        resolve();
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', leave);
          resolve();
        },
      };
      signal?.addEventListener('abort', leave, { once: true });
      this.queue.push(waiter);
      if (!this.draining) void this.drain();
    });
  }

  /**
   * Holds every request not yet sent back until at least `ms` from now, for when the gateway says the rate was too
   * high: all callers share the one budget, so all of them slow down, not just the one that was refused.
   */
  penalize(ms: number): void {
    this.holdUntilMs = Math.max(this.holdUntilMs, this.monotonic() + ms);
  }

  /** The window and how many grants it holds at the current rate: a second and `rate`, or 1/rate and one (plus the margin). */
  private window(): { ms: number; size: number } {
    const rate = this.requestsPerSecond();
    return rate >= 1 ? { ms: 1000 + WINDOW_MARGIN_MS, size: Math.floor(rate) } : { ms: 1000 / rate + WINDOW_MARGIN_MS, size: 1 };
  }

  /** When the next request may go: once the oldest grant the window holds has left it, and after any hold. */
  private nextSlotMs(): number {
    const { ms, size } = this.window();
    if (this.granted.length > size) this.granted.splice(0, this.granted.length - size);
    const free = this.granted.length < size ? -Infinity : this.granted[0]! + ms;
    return Math.max(free, this.holdUntilMs);
  }

  private grant(at: number): void {
    this.granted.push(at);
    const { size } = this.window();
    if (this.granted.length > size) this.granted.shift();
  }

  /** Grants queued callers one at a time; re-reads the next slot after each sleep, as a hold or a rate may have changed. */
  private async drain(): Promise<void> {
    this.draining = true;
    while (this.queue.length > 0) {
      const slot = this.nextSlotMs();
      const now = this.monotonic();
      if (slot >= now + TIMER_GRANULARITY_MS) {
        this.drainWake = new AbortController();
        await this.sleep(slot - now, this.drainWake.signal);
        continue;
      }
      this.grant(now);
      this.queue.shift()!.grant();
    }
    this.drainWake = undefined;
    this.draining = false;
  }
}
