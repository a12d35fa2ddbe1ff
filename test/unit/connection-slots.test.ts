import { describe, expect, it } from 'vitest';
import { ConnectionSlots, INITIAL_LATENCY_MS, MAX_CONNECTIONS, MIN_CONNECTIONS } from '../../src/compshare/connection-slots.js';

function slotsOn(requestsPerSecond: number, fixed?: number) {
  const clock = { now: 0 };
  const slots = new ConnectionSlots({ requestsPerSecond, fixed, monotonic: () => clock.now });
  /** Holds a slot for `ms` of the injected clock, as one request answered in that time. */
  const hold = async (ms: number) => {
    const release = await slots.acquire(new AbortController().signal);
    clock.now += ms;
    release!();
  };
  return { slots, clock, hold };
}

describe('ConnectionSlots', () => {
  it('sizes by rate x latency with headroom: the assumed latency first, then the latency seen', async () => {
    const { slots, hold } = slotsOn(40);
    expect(slots.capacity).toBe(Math.ceil(40 * (INITIAL_LATENCY_MS / 1000) * 2));
    for (let i = 0; i < 100; i++) await hold(90);
    expect(slots.capacity).toBe(8); // 40/s x 0.09 s x 2, rounded up
    for (let i = 0; i < 100; i++) await hold(1_000);
    expect(slots.capacity).toBe(MAX_CONNECTIONS);
  });

  it('never sizes below the minimum, and a fixed count overrides the estimate', async () => {
    expect(slotsOn(0.1).slots.capacity).toBe(MIN_CONNECTIONS);
    const fixed = slotsOn(1000, 3);
    for (let i = 0; i < 10; i++) await fixed.hold(1);
    expect(fixed.slots.capacity).toBe(3);
    expect(fixed.slots.max).toBe(3);
  });

  it('lets waiters in, in order, as slots come back', async () => {
    const { slots } = slotsOn(1000, 1);
    const signal = new AbortController().signal;
    const first = await slots.acquire(signal);
    const order: number[] = [];
    const second = slots.acquire(signal).then((release) => (order.push(2), release));
    const third = slots.acquire(signal).then((release) => (order.push(3), release));
    await Promise.resolve();
    expect(order).toEqual([]);
    first!();
    (await second)!();
    await third;
    expect(order).toEqual([2, 3]);
  });

  it('ends every wait at once when the signal aborts, and gives their places to no one', async () => {
    const { slots } = slotsOn(1000, 1);
    const stop = new AbortController();
    const held = await slots.acquire(new AbortController().signal);
    const waits = [slots.acquire(stop.signal), slots.acquire(stop.signal)];
    stop.abort();
    expect(await Promise.all(waits)).toEqual([undefined, undefined]);
    expect(await slots.acquire(stop.signal)).toBeUndefined();
    held!();
    expect(await slots.acquire(new AbortController().signal)).toBeTypeOf('function');
  });

  it('rejects a fixed count that is not a whole number of at least one', () => {
    expect(() => slotsOn(5, 0)).toThrow(/connections must be a whole number >= 1, got 0/);
    expect(() => slotsOn(5, 1.5)).toThrow(/got 1.5/);
  });
});
