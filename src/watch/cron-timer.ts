import { Cron } from 'croner';
import type { Clock } from '../util/clock.js';

/**
 * The longest one timer is armed for. The wall clock is read again at least this often, so a step of it (NTP, a
 * user, a VM resumed) is noticed within this long even when the next run is a day away.
 */
export const MAX_WAKE_MS = 30_000;

/**
 * Calls `fire` whenever a cron pattern's next time comes on the wall clock, and survives steps of that clock.
 * Each wake reads the wall clock afresh and asks croner for the next time after it: stepped back, the next time is
 * nearer than the one aimed at and is taken instead (no freeze); stepped forward past one or more times, it fires
 * once and aims at the next time after now (no catch-up burst). Waits themselves are timers, which are monotonic.
 */
export class CronTimer {
  private readonly cron: Cron;
  private target: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    schedule: string,
    timezone: string | undefined,
    private readonly clock: Clock,
    /** Told the next time after this one (wall ms), so a tick knows how long it has before the next. */
    private readonly fire: (nextAt: number | undefined) => void,
  ) {
    // Paused and without a function: croner only computes times here; it arms no timer of its own.
    this.cron = new Cron(schedule, { timezone, paused: true });
  }

  start(): void {
    const now = this.clock.now();
    this.target = this.nextAfter(now);
    this.arm(now);
  }

  /** The next time it will fire (wall ms), or undefined when stopped or when the pattern never matches again. */
  get nextAt(): number | undefined {
    return this.target;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.target = undefined;
  }

  private readonly wake = (): void => {
    const now = this.clock.now();
    const due = this.target !== undefined && now >= this.target;
    // Not due: the same target again, unless the clock stepped back and a nearer time now comes first.
    this.target = this.nextAfter(now);
    this.arm(now);
    if (due) this.fire(this.target);
  };

  private arm(now: number): void {
    if (this.target === undefined) return;
    this.timer = setTimeout(this.wake, Math.min(Math.max(0, this.target - now), MAX_WAKE_MS));
  }

  /** The first matching time after `now`, or undefined for a pattern that never matches again. */
  private nextAfter(now: number): number | undefined {
    return this.cron.nextRun(new Date(now))?.getTime();
  }
}
