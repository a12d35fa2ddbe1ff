import { describe, expect, it } from 'vitest';
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

  it('rejects a zero or negative rate', () => {
    expect(() => new RateLimiter(0)).toThrow(/> 0/);
  });
});
