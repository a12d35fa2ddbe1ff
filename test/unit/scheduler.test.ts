import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { Scheduler, type JobSpec } from '../../src/watch/scheduler.js';

/**
 * Every test runs on fake timers and a fake wall clock: `advance` moves both (as time passing does), `stepWall`
 * moves only the wall clock (as NTP or a user does), and no test waits real seconds.
 */
const HOUR_MS = 3_600_000;
const START = Date.parse('2026-03-01T00:00:05Z');

function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);
const stepWall = (ms: number) => vi.setSystemTime(Date.now() + ms);

/** A job that counts its runs and records the wall time of each. */
function countingJob(schedule: string, extra: Partial<JobSpec> = {}): JobSpec & { runs: number[] } {
  const runs: number[] = [];
  return { name: 'counting', schedule, timezone: 'UTC', run: async () => void runs.push(Date.now()), runs, ...extra };
}

let scheduler: Scheduler | undefined;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
  vi.setSystemTime(START);
});
afterEach(async () => {
  const stopping = scheduler?.stop(0);
  await advance(0);
  await stopping;
  scheduler = undefined;
  vi.useRealTimers();
});

describe('Scheduler', () => {
  it('fires on the schedule', async () => {
    scheduler = new Scheduler(capturingLogger().log);
    const job = countingJob('*/10 * * * * *');
    scheduler.start([job]);
    await advance(30_000);
    expect(job.runs.map((at) => new Date(at).toISOString())).toEqual([
      '2026-03-01T00:00:10.000Z',
      '2026-03-01T00:00:20.000Z',
      '2026-03-01T00:00:30.000Z',
    ]);
  });

  it('keeps firing about every 10 s after the wall clock steps back an hour', async () => {
    scheduler = new Scheduler(capturingLogger().log);
    const job = countingJob('*/10 * * * * *');
    scheduler.start([job]);
    await advance(5_000);
    expect(job.runs).toHaveLength(1);
    stepWall(-HOUR_MS);
    await advance(60_000);
    // One period may be lost noticing the step; the polling goes on, not an hour later.
    expect(job.runs.length).toBeGreaterThanOrEqual(1 + 5);
  });

  it('runs once, not a burst of missed runs, after the wall clock steps forward an hour', async () => {
    scheduler = new Scheduler(capturingLogger().log);
    const job = countingJob('*/10 * * * * *');
    scheduler.start([job]);
    stepWall(HOUR_MS);
    await advance(5_000);
    expect(job.runs).toHaveLength(1);
    await advance(10_000);
    expect(job.runs).toHaveLength(2);
  });

  it('notices within a bounded time that the wall clock stepped past a far-away run', async () => {
    scheduler = new Scheduler(capturingLogger().log);
    const daily = countingJob('0 10 4 * * *');
    scheduler.start([daily]);
    stepWall(4 * HOUR_MS + 30 * 60_000);
    await advance(60_000);
    expect(daily.runs).toHaveLength(1);
  });

  it('never starts a second run of a job while the first is busy, and waits for it on stop', async () => {
    scheduler = new Scheduler(capturingLogger().log);
    let started = 0;
    let release!: () => void;
    const busy = new Promise<void>((resolve) => (release = resolve));
    let finished = false;
    const run = async () => {
      started++;
      await busy;
      finished = true;
    };
    scheduler.start([{ name: 'slow', schedule: '* * * * * *', run }]);
    await advance(3_000);
    expect(started).toBe(1);
    const stopping = scheduler.stop(10_000);
    release();
    expect(await stopping).toEqual({ abandoned: 0 });
    expect(finished).toBe(true);
  });

  it('drops and counts a tick that comes while the previous run is going, and logs the drops once a minute', async () => {
    const { log, lines } = capturingLogger();
    scheduler = new Scheduler(log);
    let release!: () => void;
    const busy = new Promise<void>((resolve) => (release = resolve));
    const slow: JobSpec = { name: 'shared', members: ['w-a', 'w-b'], schedule: '* * * * * *', run: () => busy };
    scheduler.start([slow, countingJob('* * * * * *', { name: 'quick' })]);
    const dropLines = () => lines.filter((line) => line.includes('dropped in the last minute'));
    await advance(3_000);
    expect(Object.fromEntries(scheduler.droppedTicks())).toEqual({ 'w-a': 2, 'w-b': 2 });
    // The first drop is told at once, the rest wait for the minute to end.
    expect(dropLines().map((line) => JSON.parse(line).msg)).toEqual([
      '1 tick dropped in the last minute: previous poll still running; the API or rate limit cannot keep up',
    ]);
    await advance(60_000);
    expect(dropLines()).toHaveLength(2);
    expect(JSON.parse(dropLines()[1]!)).toMatchObject({ dropped: expect.any(Number), jobs: ['w-a', 'w-b'] });
    release();
    await advance(180_000);
    // Once the run ends the ticks are served again: the last line has the rest, and quiet minutes log nothing.
    expect(dropLines()).toHaveLength(3);
    const logged = dropLines().reduce((sum, line) => sum + (JSON.parse(line) as { dropped: number }).dropped, 0);
    expect(logged).toBe(scheduler.droppedTicks().get('w-a'));
    expect(logged).toBeGreaterThanOrEqual(60);
    expect(scheduler.droppedTicks().has('shared')).toBe(false);
  });

  it('keeps one timer for many jobs on one schedule, and runs them all on each tick', async () => {
    scheduler = new Scheduler(capturingLogger().log);
    const jobs = Array.from({ length: 500 }, (_, index) => countingJob('*/10 * * * * *', { name: `w${index}` }));
    scheduler.start(jobs);
    expect(vi.getTimerCount()).toBe(1);
    await advance(15_000);
    expect(jobs.every((job) => job.runs.length === 2)).toBe(true);
  });

  it("starts a tick's jobs in priority order, spread over their jitter", async () => {
    scheduler = new Scheduler(capturingLogger().log, { random: () => 0 });
    const started: Array<[string, number]> = [];
    const job = (name: string, priority: number): JobSpec => ({
      name,
      priority,
      schedule: '*/10 * * * * *',
      timezone: 'UTC',
      jitterMs: 4_000,
      run: async () => void started.push([name, Date.now() - START - 5_000]),
    });
    scheduler.start([job('low', 0), job('high', 10), job('middle', 5), job('low-too', 0)]);
    await advance(5_000 + 4_000);
    expect(started).toEqual([
      ['high', 0],
      ['middle', 1_000],
      ['low', 2_000],
      ['low-too', 3_000],
    ]);
  });

  it('spreads a jitter longer than the interval over half of it, so no run is pushed into the next tick', async () => {
    scheduler = new Scheduler(capturingLogger().log, { random: () => 0.99 });
    const job = countingJob('*/10 * * * * *', { jitterMs: 60_000 });
    scheduler.start([job]);
    await advance(5_000 + 5_000);
    expect(job.runs.map((at) => at - START)).toEqual([5_000 + 4_950]);
  });

  it('cancels the jobs of a tick still waiting for their turn at once on stop, and tells running ones to end', async () => {
    scheduler = new Scheduler(capturingLogger().log, { random: () => 0 });
    const signals: AbortSignal[] = [];
    const started: string[] = [];
    const job = (name: string): JobSpec => ({
      name,
      schedule: '*/10 * * * * *',
      jitterMs: 8_000,
      run: (signal) => (started.push(name), signals.push(signal), new Promise((resolve) => signal.addEventListener('abort', resolve))),
    });
    scheduler.start(['a', 'b', 'c', 'd'].map(job));
    await advance(5_000 + 2_000);
    expect(started).toEqual(['a', 'b']);
    let outcome: unknown;
    void scheduler.stop(10_000).then((result) => (outcome = result));
    await advance(0);
    expect(outcome).toEqual({ abandoned: 0 });
    expect(signals.every((signal) => signal.aborted)).toBe(true);
    await advance(20_000);
    expect(started).toEqual(['a', 'b']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('abandons a run that outlives the grace period', async () => {
    scheduler = new Scheduler(capturingLogger().log);
    let started = false;
    scheduler.start([{ name: 'hung', schedule: '* * * * * *', run: () => ((started = true), new Promise(() => {})) }]);
    await advance(1_000);
    expect(started).toBe(true);
    const stopping = scheduler.stop(50);
    await advance(50);
    expect(await stopping).toEqual({ abandoned: 1 });
  });

  it('ends a jitter wait at once on stop, without running the job, and leaves no timer behind', async () => {
    scheduler = new Scheduler(capturingLogger().log, { random: () => 0.99 });
    const job = countingJob('*/10 * * * * *', { jitterMs: 600_000 });
    scheduler.start([job]);
    await advance(5_000);
    let outcome: unknown;
    void scheduler.stop(10_000).then((result) => (outcome = result));
    await advance(0);
    expect(outcome).toEqual({ abandoned: 0 });
    expect(job.runs).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('delays a run by its jitter', async () => {
    scheduler = new Scheduler(capturingLogger().log, { random: () => 0.5 });
    const job = countingJob('*/10 * * * * *', { jitterMs: 4_000 });
    scheduler.start([job]);
    await advance(5_000 + 1_999);
    expect(job.runs).toEqual([]);
    await advance(1);
    expect(job.runs.map((at) => new Date(at).toISOString())).toEqual(['2026-03-01T00:00:12.000Z']);
  });

  it('logs a job that throws and keeps the scheduler alive', async () => {
    const { log, lines } = capturingLogger();
    scheduler = new Scheduler(log);
    let runs = 0;
    scheduler.start([{ name: 'broken', schedule: '* * * * * *', run: async () => { runs++; throw new Error('boom'); } }]);
    await advance(2_000);
    expect(runs).toBe(2);
    expect(lines.some((line) => line.includes('job failed') && line.includes('boom'))).toBe(true);
  });

  it('runs a runAtStart job once right away, not only at its next time', async () => {
    scheduler = new Scheduler(capturingLogger().log);
    const yearly = countingJob('0 0 1 1 *', { runAtStart: true });
    scheduler.start([yearly]);
    await advance(0);
    expect(yearly.runs).toEqual([START]);
  });

  it('does not count the first tick that finds the run at start still going as dropped, but the next ones', async () => {
    const { log, lines } = capturingLogger();
    scheduler = new Scheduler(log);
    let release!: () => void;
    const busy = new Promise<void>((resolve) => (release = resolve));
    // START is 5 s past a minute: the run at start is still going at :10, :20 and :30.
    const slow: JobSpec = { name: 'reconcile', schedule: '*/10 * * * * *', runAtStart: true, run: () => busy };
    scheduler.start([slow]);
    await advance(6_000);
    expect(scheduler.droppedTicks().size).toBe(0);
    expect(lines.filter((line) => line.includes('dropped'))).toEqual([]);
    await advance(20_000);
    expect(Object.fromEntries(scheduler.droppedTicks())).toEqual({ reconcile: 2 });
    release();
  });

  it('leaves no timer behind once stopped', async () => {
    scheduler = new Scheduler(capturingLogger().log);
    scheduler.start([countingJob('*/10 * * * * *'), countingJob('0 10 4 * * *')]);
    await advance(15_000);
    expect(await scheduler.stop(1_000)).toEqual({ abandoned: 0 });
    expect(vi.getTimerCount()).toBe(0);
  });
});
