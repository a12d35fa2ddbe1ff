import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../../src/compshare/rate-limit.js';

describe('RateLimiter', () => {
  it('spaces a burst evenly at the configured rate', async () => {
    let now = 1_000_000;
    const grants: number[] = [];
    const limiter = new RateLimiter(() => 5, () => now, async (ms) => {
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
    const limiter = new RateLimiter(() => 10, () => now, async (ms) => {
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
    const limiter = new RateLimiter(() => 1, () => now, async (ms) => {
      sleeps.push(ms);
      now += ms;
    });
    await limiter.acquire();
    limiter.penalize(10);
    await limiter.acquire();
    expect(sleeps).toEqual([1000]);
  });

  it('lets an urgent request go at once, ahead of the spacing, and spaces the next one after it', async () => {
    let now = 1_000_000;
    const sleeps: number[] = [];
    const limiter = new RateLimiter(() => 5, () => now, async (ms) => {
      sleeps.push(ms);
      now += ms;
    });
    await limiter.acquire();
    now += 50;
    // A Create right after a poll: no 150 ms wait for the poll's spacing.
    await limiter.acquire(undefined, true);
    expect(sleeps).toEqual([]);
    await limiter.acquire();
    expect(sleeps).toEqual([200]);
  });

  it('holds an urgent request too while the gateway has said "rate limited"', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const limiter = new RateLimiter(() => 5, () => now, async (ms) => {
      sleeps.push(ms);
      now += ms;
    });
    await limiter.acquire();
    limiter.penalize(1000);
    await limiter.acquire(undefined, true);
    expect(sleeps).toEqual([1000]);
  });

  describe('on the system clock', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('keeps granting at the rate after the wall clock steps back an hour', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
      const limiter = new RateLimiter(() => 1);
      await limiter.acquire();
      vi.setSystemTime(Date.now() - 3_600_000);
      let granted = false;
      void limiter.acquire().then(() => (granted = true));
      await vi.advanceTimersByTimeAsync(1_000);
      expect(granted).toBe(true);
    });

    it('applies a lower rate to callers already waiting, not only to later ones', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
      let rate = 10;
      const limiter = new RateLimiter(() => rate);
      let granted = 0;
      for (let i = 0; i < 3; i++) void limiter.acquire().then(() => granted++);
      await vi.advanceTimersByTimeAsync(0);
      rate = 1; // say a 153 came while two of them waited
      await vi.advanceTimersByTimeAsync(999);
      expect(granted).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(granted).toBe(2);
      await vi.advanceTimersByTimeAsync(1000);
      expect(granted).toBe(3);
    });

    it('ends a wait for a slot at once when its signal aborts, leaving no timer behind', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
      const limiter = new RateLimiter(() => 0.001);
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

  it('grants a slot due within a millisecond at once instead of sleeping it', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const limiter = new RateLimiter(() => 10, () => now, async (ms) => {
      sleeps.push(ms);
      now += ms;
    });
    await limiter.acquire();
    now += 99.6; // the next slot is 0.4 ms away: a timer would round that up to a whole millisecond
    await limiter.acquire();
    now += 100;
    await limiter.acquire();
    expect(sleeps).toEqual([]);
  });

  it('keeps to the rate when timers oversleep, without a burst after a long stall', async () => {
    let now = 0;
    let oversleepMs = 4;
    const limiter = new RateLimiter(() => 100, () => now, async (ms) => {
      now += ms + oversleepMs;
    });
    for (let i = 0; i < 101; i++) await limiter.acquire();
    // 100 intervals of 10 ms: restarting the spacing from each late wake-up would have added 400 ms.
    expect(now).toBeLessThan(1_010);
    oversleepMs = 0;
    const waiting = limiter.acquire();
    now += 500; // the event loop stalls while that one waits
    await waiting;
    const afterStall = now;
    await limiter.acquire();
    await limiter.acquire();
    expect(now - afterStall).toBe(10); // one made up at once, then the rate again: not 50 at once
  });
});
