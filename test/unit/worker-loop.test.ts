import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkerLoop } from '../../src/util/worker-loop.js';

/** A pass that stays busy until the test releases it, counting how often it ran. */
function gatedPass() {
  const state = { runs: 0, signals: [] as AbortSignal[], release: () => {} };
  const pass = async (signal: AbortSignal) => {
    state.runs += 1;
    state.signals.push(signal);
    await new Promise<void>((resolve) => (state.release = resolve));
  };
  return { state, pass };
}

const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('WorkerLoop', () => {
  it('runs a pass on start and then every interval', async () => {
    let runs = 0;
    const loop = new WorkerLoop(async () => void (runs += 1), { intervalMs: 1_000, onError: () => {} });
    loop.start();
    await settle();
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(runs).toBe(4);
    await loop.stop();
  });

  it('coalesces wake-ups during a pass into one more pass after it, never two at once', async () => {
    const { state, pass } = gatedPass();
    const loop = new WorkerLoop(pass, { intervalMs: 60_000, onError: () => {} });
    loop.wake();
    loop.wake();
    loop.wake();
    await settle();
    expect(state.runs).toBe(1);
    state.release();
    await settle();
    expect(state.runs).toBe(2);
    state.release();
    await settle();
    expect(state.runs).toBe(2);
    await loop.stop();
  });

  it('keeps going after a failed pass and reports the error', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const loop = new WorkerLoop(
      async () => {
        runs += 1;
        if (runs === 1) throw new Error('database is locked');
      },
      { intervalMs: 1_000, onError: (error) => errors.push(error) },
    );
    loop.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(errors).toEqual([new Error('database is locked')]);
    expect(runs).toBe(2);
    await loop.stop();
  });

  it('stop aborts the pass under way, waits for it, and no pass runs after it', async () => {
    const { state, pass } = gatedPass();
    const loop = new WorkerLoop(pass, { intervalMs: 1_000, onError: () => {} });
    loop.start();
    await settle();
    loop.wake();
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await settle();
    expect(state.signals[0]?.aborted).toBe(true);
    expect(stopped).toBe(false);
    state.release();
    await stopping;
    await vi.advanceTimersByTimeAsync(5_000);
    loop.wake();
    loop.start();
    await settle();
    expect(state.runs).toBe(1);
  });
});
