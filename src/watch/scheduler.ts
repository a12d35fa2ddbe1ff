import { Cron } from 'croner';
import type { Logger } from '../log.js';

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

/**
 * Runs a table of jobs on croner, never two runs of the same job at once, and stops them together: `stop()`
 * cancels future runs and waits (up to a bound) for the runs already under way.
 */
export class Scheduler {
  private readonly crons: Cron[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(
    private readonly log: Logger,
    private readonly random: () => number = Math.random,
  ) {}

  start(jobs: readonly JobSpec[]): void {
    for (const job of jobs) {
      const cron = new Cron(job.schedule, {
        name: `compshare-watch:${job.name}:${this.crons.length}`,
        timezone: job.timezone,
        protect: () => this.log.warn({ job: job.name }, 'previous run still busy; skipping this one'),
      }, () => this.track(this.runOnce(job)));
      this.crons.push(cron);
      if (job.runAtStart) void cron.trigger();
    }
  }

  /** Resolves when every run under way has finished, or after `graceMs`, whichever comes first. */
  async stop(graceMs: number): Promise<{ abandoned: number }> {
    this.stopping = true;
    for (const cron of this.crons) cron.stop();
    const pending = [...this.inFlight];
    if (pending.length === 0) return { abandoned: 0 };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([Promise.allSettled(pending).then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    return { abandoned: outcome === 'timeout' ? this.inFlight.size : 0 };
  }

  private async runOnce(job: JobSpec): Promise<void> {
    if (job.jitterMs) await new Promise((resolve) => setTimeout(resolve, Math.floor(this.random() * job.jitterMs!)));
    if (this.stopping) return;
    try {
      await job.run();
    } catch (error) {
      this.log.error({ job: job.name, err: error }, 'job failed');
    }
  }

  private track(run: Promise<void>): Promise<void> {
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return run;
  }
}
