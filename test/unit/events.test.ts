import { describe, expect, it } from 'vitest';
import { defineEvent, EVENT_PAYLOADS, EventPayloadError } from '../../src/events.js';
import type { DetectorEvent } from '../../src/watch/detector.js';
import { storedEventOf } from '../../src/watch/stored-events.js';

const watch = { name: 'w4090', zone: 'cn-wlcb-01', gpuType: '4090' };
const key = { gpu: 1, cpu: 16, mem: 64 };
const blind = { watch: 'w4090', zone: 'cn-wlcb-01', gpuType: '4090', at: 2_000, failingSince: 1_000, error: 'timeout' };

describe('event catalog', () => {
  it('builds a stored event whose payload is what its type promises', () => {
    const event = defineEvent('watch.blind', { id: 'watch.blind:w4090:1000', watch: 'w4090', createdAt: 2_000, payload: blind });
    expect(event).toEqual({ id: 'watch.blind:w4090:1000', type: 'watch.blind', watch: 'w4090', createdAt: 2_000, payload: blind });
  });

  it('rejects, at the producer, a payload with a missing, mistyped or unknown field', () => {
    const build = (payload: Record<string, unknown>) => () =>
      defineEvent('watch.blind', { id: 'x', watch: 'w4090', createdAt: 2_000, payload: payload as typeof blind });
    const { error: _dropped, ...missing } = blind;
    expect(build(missing)).toThrow(EventPayloadError);
    expect(build({ ...blind, failingSince: '1000' })).toThrow(/event x does not match watch.blind: .*failingSince/);
    expect(build({ ...blind, secret: 'x' })).toThrow(EventPayloadError);
  });

  it('describes every event the detector raises, as the poll stores it', () => {
    const raised: DetectorEvent[] = [
      { type: 'capacity.available', key, at: 2_000, previousSince: 1_000 },
      { type: 'capacity.soldout', key, at: 3_000, previousSince: null },
      { type: 'capacity.reminder', key, at: 4_000, since: 2_000, count: 1 },
      { type: 'watch.blind', at: 5_000, failingSince: 4_500, error: 'timeout' },
      { type: 'watch.recovered', at: 6_000, failingSince: 4_500 },
    ];
    const stored = raised.map((event) => storedEventOf(watch, event));
    expect(stored.map((event) => event.id)).toEqual([
      'capacity.available:w4090:1/16/64:2000',
      'capacity.soldout:w4090:1/16/64:3000',
      'capacity.reminder:w4090:1/16/64:2000:1',
      'watch.blind:w4090:4500',
      'watch.recovered:w4090:4500',
    ]);
    for (const event of stored) {
      expect(EVENT_PAYLOADS[event.type as keyof typeof EVENT_PAYLOADS].strict().safeParse(event.payload).success).toBe(true);
    }
    expect(stored[2]!.payload).toStrictEqual({
      watch: 'w4090',
      zone: 'cn-wlcb-01',
      gpuType: '4090',
      at: 4_000,
      ...key,
      previousSince: null,
      availableSince: 2_000,
      count: 1,
    });
  });
});
