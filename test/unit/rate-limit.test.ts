import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter, WINDOW_MARGIN_MS } from '../../src/compshare/rate-limit.js';

/** A window of the limiter: a second, plus its margin for the way to the gateway. */
const WINDOW_MS = 1000 + WINDOW_MARGIN_MS;

describe('RateLimiter', () => {
  it('grants at most `rate` requests in any one-second window, the first of a burst at once', async () => {
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
    expect(grants.at(-1)! - grants[0]!).toBe(2 * WINDOW_MS);
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
    // The first grant after the penalty waits all of it; the window has room for the next one.
    expect(sleeps).toEqual([1000]);
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
    expect(sleeps).toEqual([WINDOW_MS]);
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
      await vi.advanceTimersByTimeAsync(WINDOW_MS);
      expect(granted).toBe(true);
    });

    it('applies a lower rate to callers already waiting, not only to later ones', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
      let rate = 2;
      const limiter = new RateLimiter(() => rate);
      let granted = 0;
      for (let i = 0; i < 5; i++) void limiter.acquire().then(() => granted++);
      await vi.advanceTimersByTimeAsync(0);
      expect(granted).toBe(2);
      rate = 1; // say a 153 came while three of them waited
      await vi.advanceTimersByTimeAsync(WINDOW_MS - 1);
      expect(granted).toBe(2);
      await vi.advanceTimersByTimeAsync(1);
      expect(granted).toBe(3);
      await vi.advanceTimersByTimeAsync(WINDOW_MS);
      expect(granted).toBe(4);
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
    const limiter = new RateLimiter(() => 1, () => now, async (ms) => {
      sleeps.push(ms);
      now += ms;
    });
    await limiter.acquire();
    now += WINDOW_MS - 0.4; // the next slot is 0.4 ms away: a timer would round that up to a whole millisecond
    await limiter.acquire();
    now += WINDOW_MS;
    await limiter.acquire();
    expect(sleeps).toEqual([]);
  });

  it('keeps to the rate when timers oversleep, and lets at most `rate` go at once after a long stall', async () => {
    let now = 0;
    let oversleepMs = 4;
    const grants: number[] = [];
    const limiter = new RateLimiter(() => 10, () => now, async (ms) => {
      now += ms + oversleepMs;
    });
    for (let i = 0; i < 30; i++) {
      await limiter.acquire();
      grants.push(now);
    }
    const inWindow = (from: number) => grants.filter((t) => t >= from && t < from + 1000).length;
    expect(Math.max(...grants.map(inWindow))).toBe(10);
    // Late timers cost only their own lateness, once per window: not 4 ms per request.
    expect(grants.at(-1)).toBeLessThan(2 * WINDOW_MS + 10);
    oversleepMs = 0;
    now += 5_000; // the event loop stalls; then a crowd asks at once
    const stalled = now;
    for (let i = 0; i < 15; i++) {
      await limiter.acquire();
      grants.push(now);
    }
    expect(grants.filter((t) => t === stalled)).toHaveLength(10);
    expect(grants.at(-1)).toBe(stalled + WINDOW_MS);
  });
});
