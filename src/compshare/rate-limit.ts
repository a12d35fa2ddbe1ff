/**
 * Spaces requests at least 1/rate seconds apart, in the order they asked. Evenly spaced calls keep any one-second
 * window at or under the configured rate, which is what the gateway's 153 "rate limited" punishes.
 */
export class RateLimiter {
  private readonly intervalMs: number;
  private nextSlotMs = 0;

  constructor(
    requestsPerSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = defaultSleep,
  ) {
    if (!(requestsPerSecond > 0)) throw new RangeError(`requests per second must be > 0, got ${requestsPerSecond}`);
    this.intervalMs = 1000 / requestsPerSecond;
  }

  /** Resolves when the caller may send its request. */
  async acquire(): Promise<void> {
    const now = this.now();
    const slot = Math.max(now, this.nextSlotMs);
    this.nextSlotMs = slot + this.intervalMs;
    if (slot > now) await this.sleep(slot - now);
  }

  /**
   * Holds every later request back until at least `ms` from now, for when the gateway says the rate was too
   * high: all callers share the one budget, so all of them slow down, not just the one that was refused.
   */
  penalize(ms: number): void {
    this.nextSlotMs = Math.max(this.nextSlotMs, this.now() + ms);
  }
}

export function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
