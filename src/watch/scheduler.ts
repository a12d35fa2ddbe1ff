import type { Logger } from '../log.js';
import { sleep as timerSleep, stopController, systemClock, type IntervalClock, type Sleep } from '../util/clock.js';
import { CronTimer } from './cron-timer.js';

/** One scheduled job: a name for logs, a cron pattern (seconds allowed), and what to run. */
export interface JobSpec {
  name: string;
  schedule: string;
  timezone?: string | undefined;
  /** Among the jobs due on one tick, higher goes first (watches that create instances will). Default 0. */
  priority?: number | undefined;
  /** Up to this many ms of delay before each run, so many jobs do not fire in the same instant (see SPREAD_SHARE). */
  jitterMs?: number | undefined;
  /** Also run once right away, instead of first at the next matching time. */
  runAtStart?: boolean | undefined;
  /** The names a dropped tick is counted under, such as the watches one shared poll serves. Default [name]. */
  members?: readonly string[] | undefined;
  /** `signal` aborts when the scheduler stops: work still waiting for its turn should end then, recording nothing. */
  run: (signal: AbortSignal) => Promise<unknown>;
}

/** Injectable for tests; production uses the system clock, timers and Math.random. */
export interface SchedulerOptions {
  clock?: IntervalClock;
  sleep?: Sleep;
  random?: () => number;
}

/**
 * The most of the time until a schedule's next tick that its jobs' jitter may spread them over: the rest is left
 * for the runs themselves, so a jitter longer than the interval cannot push a run into the next tick.
 */
export const SPREAD_SHARE = 0.5;
/** Dropped ticks are logged at most this often, with their count: one line per drop would flood the log. */
export const DROP_REPORT_MS = 60_000;
/** Job names listed in a dropped-ticks line; the count covers the rest. */
const DROP_REPORT_NAMES = 10;

/**
 * Runs a table of jobs on their cron schedules, with one timer per distinct (schedule, time zone) however many
 * jobs share it. Each tick starts its jobs in priority order, spread over their jitter; a job whose previous run is
 * still going when its tick comes misses that tick (counted in `droppedTicks`, logged once a minute) rather than
 * queueing behind itself. `stop()` cancels future ticks and every wait at once, and waits (up to a bound) for the
 * runs already under way.
 */
export class Scheduler {
  private readonly clock: IntervalClock;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly timers: CronTimer[] = [];
  /** Jobs picked by a tick and not yet done (their wait for a turn included): a tick that finds one here drops it. */
  private readonly busy = new Set<JobSpec>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly stopping = stopController();
  private readonly dropped = new Map<string, number>();
  /** Jobs whose run at start is the last one begun, until their first scheduled tick. */
  private readonly startRuns = new Set<JobSpec>();
  private readonly unreported = { ticks: 0, names: new Set<string>() };
  private reportTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: Logger,
    options: SchedulerOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? timerSleep;
    this.random = options.random ?? Math.random;
  }

  start(jobs: readonly JobSpec[]): void {
    for (const group of bySchedule(jobs)) {
      const first = group[0]!;
      const timer = new CronTimer(first.schedule, first.timezone, this.clock, (nextAt) => this.tick(group, nextAt));
      this.timers.push(timer);
      timer.start();
      const atStart = group.filter((job) => job.runAtStart);
      if (atStart.length > 0) this.tick(atStart, timer.nextAt);
      for (const job of atStart) this.startRuns.add(job);
    }
  }

  /** Ticks each job (by name, or by its `members`) missed because its previous run was still going; since start. */
  droppedTicks(): ReadonlyMap<string, number> {
    return this.dropped;
  }

  /** Resolves when every run under way has finished, or after `graceMs`, whichever comes first. */
  async stop(graceMs: number): Promise<{ abandoned: number }> {
    this.stopping.abort();
    for (const timer of this.timers) timer.stop();
    clearTimeout(this.reportTimer);
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

  /** `jobs` are in priority order; `nextAt` is the schedule's next tick, which bounds how far they are spread. */
  private tick(jobs: readonly JobSpec[], nextAt: number | undefined): void {
    if (this.stopping.signal.aborted) return;
    const due: JobSpec[] = [];
    for (const job of jobs) {
      // The run at start stands for the first tick that finds it still going (a start just before a tick is
      // common); from the next one on a busy job misses its tick.
      const inStartRun = this.startRuns.delete(job);
      if (this.busy.has(job)) {
        if (!inStartRun) this.drop(job);
      } else due.push(job);
    }
    if (due.length === 0) return;
    for (const job of due) this.busy.add(job);
    const windowMs = nextAt === undefined ? 0 : Math.max(0, nextAt - this.clock.now()) * SPREAD_SHARE;
    this.track(this.dispatch(due, spreadOffsets(due, windowMs, this.random)));
  }

  /** Starts each job at its offset from now; on stop, the jobs not yet started are let go without running. */
  private async dispatch(jobs: readonly JobSpec[], offsetsMs: readonly number[]): Promise<void> {
    const startedAt = this.clock.monotonic();
    for (const [index, job] of jobs.entries()) {
      const wait = startedAt + offsetsMs[index]! - this.clock.monotonic();
      // Sub-millisecond waits would each round up to a 1 ms timer; the next whole one catches up with them.
      if (wait >= 1) await this.sleep(wait, this.stopping.signal);
      if (this.stopping.signal.aborted) {
        for (const left of jobs.slice(index)) this.busy.delete(left);
        return;
      }
      this.track(this.runOnce(job).finally(() => this.busy.delete(job)));
    }
  }

  private async runOnce(job: JobSpec): Promise<void> {
    try {
      await job.run(this.stopping.signal);
    } catch (error) {
      this.log.error({ job: job.name, err: error }, 'job failed');
    }
  }

  private track(work: Promise<void>): void {
    const tracked = work.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private drop(job: JobSpec): void {
    for (const name of job.members ?? [job.name]) {
      this.dropped.set(name, (this.dropped.get(name) ?? 0) + 1);
      if (this.unreported.names.size < DROP_REPORT_NAMES) this.unreported.names.add(name);
    }
    this.unreported.ticks += 1;
    // The first drop is told at once; later ones in a line a minute, for as long as they go on.
    if (this.reportTimer === undefined) this.reportDrops();
  }

  private readonly reportDrops = (): void => {
    const { ticks, names } = this.unreported;
    if (ticks === 0) {
      this.reportTimer = undefined;
      return;
    }
    const what = `${ticks} ${ticks === 1 ? 'tick' : 'ticks'} dropped in the last minute`;
    this.log.warn({ dropped: ticks, jobs: [...names] }, `${what}: previous poll still running; the API or rate limit cannot keep up`);
    this.unreported.ticks = 0;
    names.clear();
    this.reportTimer = setTimeout(this.reportDrops, DROP_REPORT_MS);
  };
}

/** Jobs grouped by (schedule, time zone), each group in priority order (the sort is stable: config order next). */
function bySchedule(jobs: readonly JobSpec[]): JobSpec[][] {
  const groups = new Map<string, JobSpec[]>();
  for (const job of jobs) {
    const key = `${job.schedule.trim()}\u0000${job.timezone ?? ''}`;
    const group = groups.get(key) ?? [];
    group.push(job);
    groups.set(key, group);
  }
  return [...groups.values()].map((group) => group.sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0)));
}

/**
 * When each of a tick's jobs starts, in ms from the tick: job i of n at a random point of the i-th n-th of its
 * jitter (capped at `windowMs`), and never before the job ahead of it, so the order is kept and the jobs with
 * jitter are spread evenly rather than bunched at random.
 */
export function spreadOffsets(jobs: readonly JobSpec[], windowMs: number, random: () => number): number[] {
  let previous = 0;
  return jobs.map((job, index) => {
    const span = Math.min(job.jitterMs ?? 0, windowMs);
    previous = Math.max(previous, span === 0 ? 0 : Math.floor((span * (index + random())) / jobs.length));
    return previous;
  });
}
