import { sleep as timerSleep, systemClock, type Sleep } from '../util/clock.js';

/**
 * Spaces requests at least 1/rate seconds apart, in the order they asked. Evenly spaced calls keep any one-second
 * window at or under the configured rate, which is what the gateway's 153 "rate limited" punishes. Slots are on the
 * monotonic clock: a wall clock stepped back an hour must not hold every request back for that hour.
 */
export class RateLimiter {
  private readonly intervalMs: number;
  private nextSlotMs = -Infinity;

  constructor(
    requestsPerSecond: number,
    private readonly monotonic: () => number = systemClock.monotonic,
    private readonly sleep: Sleep = timerSleep,
  ) {
    if (!(requestsPerSecond > 0)) throw new RangeError(`requests per second must be > 0, got ${requestsPerSecond}`);
    this.intervalMs = 1000 / requestsPerSecond;
  }

  /** Resolves when the caller may send its request, or as soon as `signal` aborts (the caller then checks why). */
  async acquire(signal?: AbortSignal): Promise<void> {
    const now = this.monotonic();
    const slot = Math.max(now, this.nextSlotMs);
    this.nextSlotMs = slot + this.intervalMs;
    if (slot > now) await this.sleep(slot - now, signal);
  }

  /**
   * Holds every later request back until at least `ms` from now, for when the gateway says the rate was too
   * high: all callers share the one budget, so all of them slow down, not just the one that was refused.
   */
  penalize(ms: number): void {
    this.nextSlotMs = Math.max(this.nextSlotMs, this.monotonic() + ms);
  }
}
