import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { Scheduler } from '../../src/watch/scheduler.js';

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

describe('Scheduler', () => {
  it('never starts a second run of a job while the first is busy, and waits for it on stop', async () => {
    const { log, lines } = capturingLogger();
    const scheduler = new Scheduler(log);
    let started = 0;
    let release!: () => void;
    const busy = new Promise<void>((resolve) => (release = resolve));
    let finished = false;
    scheduler.start([
      {
        name: 'slow',
        schedule: '* * * * * *',
        run: async () => {
          started++;
          await busy;
          finished = true;
        },
      },
    ]);
    // Bounded wait for at least two more ticks to have been refused.
    for (let waited = 0; lines.filter((line) => line.includes('still busy')).length < 2 && waited < 10_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(started).toBe(1);
    const stopping = scheduler.stop(10_000);
    release();
    expect(await stopping).toEqual({ abandoned: 0 });
    expect(finished).toBe(true);
  });

  it('abandons a run that outlives the grace period', async () => {
    const { log } = capturingLogger();
    const scheduler = new Scheduler(log);
    let started = false;
    scheduler.start([{ name: 'hung', schedule: '* * * * * *', run: () => ((started = true), new Promise(() => {})) }]);
    for (let waited = 0; !started && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await scheduler.stop(50)).toEqual({ abandoned: 1 });
  });

  it('logs a job that throws and keeps the scheduler alive', async () => {
    const { log, lines } = capturingLogger();
    const scheduler = new Scheduler(log);
    let runs = 0;
    scheduler.start([{ name: 'broken', schedule: '* * * * * *', run: async () => { runs++; throw new Error('boom'); } }]);
    for (let waited = 0; runs < 2 && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    await scheduler.stop(1_000);
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(lines.some((line) => line.includes('job failed') && line.includes('boom'))).toBe(true);
  });

  it('runs a runAtStart job once right away, not only at its next time', async () => {
    const { log } = capturingLogger();
    const scheduler = new Scheduler(log);
    let runs = 0;
    scheduler.start([{ name: 'yearly', schedule: '0 0 1 1 *', runAtStart: true, run: async () => void runs++ }]);
    for (let waited = 0; runs === 0 && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    await scheduler.stop(1_000);
    expect(runs).toBe(1);
  });
});
