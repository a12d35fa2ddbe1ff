import { describe, expect, it } from 'vitest';
import { AdaptiveRate, DEFAULT_MIN_REQUESTS_PER_SECOND } from '../../src/compshare/adaptive-rate.js';

function rateOn(max: number, min?: number) {
  const clock = { now: 1_000 };
  const changes: number[] = [];
  const rate = new AdaptiveRate({
    maxRequestsPerSecond: max,
    minRequestsPerSecond: min,
    monotonic: () => clock.now,
    onChange: (requestsPerSecond) => changes.push(requestsPerSecond),
  });
  return { rate, clock, changes };
}

describe('AdaptiveRate', () => {
  it('halves the rate on a throttling answer, then climbs back to the configured rate and stays there', () => {
    const { rate, clock, changes } = rateOn(100);
    expect(rate.current()).toBe(100);
    rate.throttled(clock.now);
    expect(rate.current()).toBe(50);
    clock.now += 5_000; // +5 req/s each second
    expect(rate.current()).toBe(75);
    clock.now += 5_000;
    expect(rate.current()).toBe(100);
    clock.now += 60_000;
    expect(rate.current()).toBe(100);
    expect(changes).toEqual([50, 100]);
  });

  it('halves again for a refusal of a request granted after the last decrease', () => {
    const { rate, clock } = rateOn(100);
    rate.throttled(clock.now);
    clock.now += 100;
    rate.throttled(clock.now);
    expect(rate.current()).toBeCloseTo(25.25); // 50 + 0.5 climbed in 100 ms, then halved
  });

  it('halves once for a burst of refusals of requests that were already out', () => {
    const { rate, clock, changes } = rateOn(100);
    const sentAt = clock.now;
    clock.now += 150;
    for (let i = 0; i < 20; i++) rate.throttled(sentAt + i);
    expect(rate.current()).toBe(50);
    expect(changes).toEqual([50]);
  });

  it('never goes below the floor, however often it is throttled', () => {
    const { rate, clock } = rateOn(10, 2);
    for (let i = 0; i < 10; i++) {
      clock.now += 1;
      rate.throttled(clock.now);
    }
    expect(rate.current()).toBeCloseTo(2, 1);
    expect(rate.current()).toBeGreaterThanOrEqual(2);
  });

  it('floors at one request a minute by default, and at the maximum when the floor is above it', () => {
    const low = rateOn(0.02);
    low.rate.throttled(low.clock.now);
    low.rate.throttled(low.clock.now);
    expect(low.rate.current()).toBe(DEFAULT_MIN_REQUESTS_PER_SECOND);
    const capped = rateOn(1, 5);
    capped.rate.throttled(capped.clock.now);
    expect(capped.rate.current()).toBe(1);
  });

  it('rejects a rate or floor that is not positive', () => {
    expect(() => rateOn(0)).toThrow(/> 0/);
    expect(() => rateOn(5, 0)).toThrow(/least requests per second must be > 0/);
  });
});
