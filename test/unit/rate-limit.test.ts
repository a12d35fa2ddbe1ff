import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../../src/compshare/rate-limit.js';

describe('RateLimiter', () => {
  it('spaces a burst evenly at the configured rate', async () => {
    let now = 1_000_000;
    const grants: number[] = [];
    const limiter = new RateLimiter(5, () => now, async (ms) => {
      now += ms;
    });
    // Sequential acquires on a virtual clock: each grant time is when the request may go out.
    for (let i = 0; i < 11; i++) {
      await limiter.acquire();
      grants.push(now);
    }
    expect(grants.at(-1)! - grants[0]!).toBe(2000);
    for (const start of grants) {
      expect(grants.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(5);
    }
  });

  it('penalize holds back the next grant, whoever asks for it', async () => {
    let now = 1_000_000;
    const sleeps: number[] = [];
    const limiter = new RateLimiter(10, () => now, async (ms) => {
      sleeps.push(ms);
      now += ms;
    });
    await limiter.acquire();
    limiter.penalize(1000);
    await limiter.acquire();
    await limiter.acquire();
    // The first grant after the penalty waits all of it; the rate applies again from there.
    expect(sleeps).toEqual([1000, 100]);
  });

  it('penalize never pulls an already later slot earlier', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const limiter = new RateLimiter(1, () => now, async (ms) => {
      sleeps.push(ms);
      now += ms;
    });
    await limiter.acquire();
    limiter.penalize(10);
    await limiter.acquire();
    expect(sleeps).toEqual([1000]);
  });

  describe('on the system clock', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('keeps granting at the rate after the wall clock steps back an hour', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
      const limiter = new RateLimiter(1);
      await limiter.acquire();
      vi.setSystemTime(Date.now() - 3_600_000);
      let granted = false;
      void limiter.acquire().then(() => (granted = true));
      await vi.advanceTimersByTimeAsync(1_000);
      expect(granted).toBe(true);
    });

    it('ends a wait for a slot at once when its signal aborts, leaving no timer behind', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
      const limiter = new RateLimiter(0.001);
      await limiter.acquire();
      const stop = new AbortController();
      let ended = false;
      void limiter.acquire(stop.signal).then(() => (ended = true));
      await vi.advanceTimersByTimeAsync(0);
      expect(vi.getTimerCount()).toBe(1);
      stop.abort();
      await vi.advanceTimersByTimeAsync(0);
      expect(ended).toBe(true);
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  it('rejects a zero or negative rate', () => {
    expect(() => new RateLimiter(0)).toThrow(/> 0/);
  });
});
