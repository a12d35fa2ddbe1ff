import type { Logger } from '../log.js';
import { sleep as timerSleep, stopController, systemClock, type Clock, type Sleep } from '../util/clock.js';
import { CronTimer } from './cron-timer.js';

/** One scheduled job: a name for logs, a cron pattern (seconds allowed), and what to run. */
export interface JobSpec {
  name: string;
  schedule: string;
  timezone?: string | undefined;
  /** Up to this many ms of random delay before each run, so many watches do not fire in the same instant. */
  jitterMs?: number | undefined;
  /** Also run once right away, instead of first at the next matching time. */
  runAtStart?: boolean | undefined;
  run: () => Promise<unknown>;
}

/** Injectable for tests; production uses the system clock, timers and Math.random. */
export interface SchedulerOptions {
  clock?: Clock;
  sleep?: Sleep;
  random?: () => number;
}

/**
 * Runs a table of jobs on their cron schedules, never two runs of the same job at once, and stops them together:
 * `stop()` cancels future runs and jitter waits, and waits (up to a bound) for the runs already under way.
 */
export class Scheduler {
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly timers: CronTimer[] = [];
  /** Jobs with a run under way (its jitter wait included): a tick that finds its job here is skipped. */
  private readonly busy = new Set<JobSpec>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly stopping = stopController();

  constructor(
    private readonly log: Logger,
    options: SchedulerOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? timerSleep;
    this.random = options.random ?? Math.random;
  }

  start(jobs: readonly JobSpec[]): void {
    for (const job of jobs) {
      const timer = new CronTimer(job.schedule, job.timezone, this.clock, () => this.fire(job));
      this.timers.push(timer);
      timer.start();
      if (job.runAtStart) this.fire(job);
    }
  }

  /** Resolves when every run under way has finished, or after `graceMs`, whichever comes first. */
  async stop(graceMs: number): Promise<{ abandoned: number }> {
    this.stopping.abort();
    for (const timer of this.timers) timer.stop();
    const pending = [...this.inFlight];
    if (pending.length === 0) return { abandoned: 0 };
    const grace = new AbortController();
    const outcome = await Promise.race([
      Promise.allSettled(pending).then(() => 'done' as const),
      this.sleep(graceMs, grace.signal).then(() => 'timeout' as const),
    ]);
    grace.abort();
    return { abandoned: outcome === 'timeout' ? this.inFlight.size : 0 };
  }

  private fire(job: JobSpec): void {
    if (this.stopping.signal.aborted) return;
    if (this.busy.has(job)) {
      this.log.warn({ job: job.name }, 'previous run still busy; skipping this one');
      return;
    }
    this.busy.add(job);
    const run = this.runOnce(job).finally(() => {
      this.busy.delete(job);
      this.inFlight.delete(run);
    });
    this.inFlight.add(run);
  }

  private async runOnce(job: JobSpec): Promise<void> {
    if (job.jitterMs) await this.sleep(Math.floor(this.random() * job.jitterMs), this.stopping.signal);
    if (this.stopping.signal.aborted) return;
    try {
      await job.run();
    } catch (error) {
      this.log.error({ job: job.name, err: error }, 'job failed');
    }
  }
}
