import { sleep as timerSleep, systemClock, type Sleep } from '../util/clock.js';

/**
 * Timers fire on whole milliseconds: a shorter wait would round up to one and add it to every call, so a slot due
 * within this is granted at once.
 */
export const TIMER_GRANULARITY_MS = 1;

interface Waiter {
  grant(): void;
}

/**
 * Spaces requests 1/rate seconds apart on a timeline of slots, in the order they asked (a request goes out up to
 * TIMER_GRANULARITY_MS before its slot, or as late as its timer fires). Evenly spaced calls keep any one-second
 * window at or under the rate, which is what the gateway's 153 "rate limited" punishes. Callers wait in one queue
 * and each slot is timed when it comes due, so a lower rate or a hold applies to everyone already waiting, not only
 * to later callers. Slots are on the monotonic clock: a wall clock stepped back an hour must not hold every request
 * back for that hour.
 */
export class RateLimiter {
  private lastSlotMs = -Infinity;
  private holdUntilMs = -Infinity;
  private readonly queue: Waiter[] = [];
  private draining = false;
  /** Ends the drain loop's sleep once every waiter has left, so no timer outlives them. */
  private drainWake: AbortController | undefined;

  constructor(
    /** Asked at every slot: the rate may change between two (see AdaptiveRate). */
    private readonly requestsPerSecond: () => number,
    private readonly monotonic: () => number = systemClock.monotonic,
    private readonly sleep: Sleep = timerSleep,
  ) {}

  /**
   * Resolves when the caller may send its request, or as soon as `signal` aborts (the caller then checks why). An
   * `urgent` request goes at once, ahead of the queue, unless a hold is on: it still takes a slot, so the requests
   * after it keep their spacing and one second holds at most one request more than the rate.
   */
  acquire(signal?: AbortSignal, urgent = false): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    const now = this.monotonic();
    if (urgent && this.holdUntilMs <= now) {
      this.lastSlotMs = Math.max(this.lastSlotMs, now);
      return Promise.resolve();
    }
    if (this.queue.length === 0 && this.nextSlotMs() < now + TIMER_GRANULARITY_MS) {
      this.lastSlotMs = Math.max(this.nextSlotMs(), now);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const leave = () => {
        this.queue.splice(this.queue.indexOf(waiter), 1);
        if (this.queue.length === 0) {
          this.drainWake?.abort();
          this.drainWake = undefined;
        }
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

  private intervalMs(): number {
    return 1000 / this.requestsPerSecond();
  }

  private nextSlotMs(): number {
    return Math.max(this.lastSlotMs + this.intervalMs(), this.holdUntilMs);
  }

  /** Grants queued callers one slot at a time; re-reads the slot after each sleep, as a hold or a rate may have changed. */
  private async drain(): Promise<void> {
    this.draining = true;
    while (this.queue.length > 0) {
      const slot = this.nextSlotMs();
      const now = this.monotonic();
      if (slot >= now + TIMER_GRANULARITY_MS) {
        // One controller for the whole drain, not one per slot: at a hundred slots a second they add up.
        this.drainWake ??= new AbortController();
        await this.sleep(slot - now, this.drainWake.signal);
        continue;
      }
      // A wake-up late by up to one interval is made up, so late timers do not slow the rate; a longer stall is
      // not made up in a burst.
      this.lastSlotMs = Math.max(slot, now - this.intervalMs());
      this.queue.shift()!.grant();
    }
    this.drainWake = undefined;
    this.draining = false;
  }
}
