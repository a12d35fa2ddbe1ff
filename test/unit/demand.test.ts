import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { demandWarning, pollDemand } from '../../src/watch/demand.js';

const NOW = Date.parse('2026-03-02T00:00:00Z');
const watch = (name: string, schedule: string, extra: Record<string, unknown> = {}) => ({
  name,
  schedule,
  zone: 'cn-wlcb-01',
  gpuType: '4090',
  imageId: 'compshareImage-a',
  chargeType: 'Dynamic',
  disks: [{ isBoot: true, type: 'CLOUD_SSD', size: 60 }],
  ...extra,
});
const config = (watches: unknown[], extra: Record<string, unknown> = {}) => configSchema.parse({ watches, ...extra });

describe('pollDemand', () => {
  it('counts one request per tick for watches of one shape and schedule, whatever their match', () => {
    const demand = pollDemand(config([watch('a', '*/10 * * * * *', { match: { gpu: [1] } }), watch('b', '*/10 * * * * *')]), NOW);
    expect(demand).toMatchObject({ requestsPerSecond: 0.1, watches: 2, shapes: 1, sharedPolls: 1 });
  });

  it('counts each request shape, and each schedule of one shape, on its own', () => {
    const demand = pollDemand(
      config([
        watch('a', '*/10 * * * * *'),
        watch('b', '*/10 * * * * *', { imageId: 'compshareImage-b' }),
        watch('c', '0 * * * * *'),
      ]),
      NOW,
    );
    expect(demand).toMatchObject({ shapes: 2, sharedPolls: 3, intervalMs: { shortest: 10_000, longest: 60_000 } });
    expect(demand.requestsPerSecond).toBeCloseTo(0.1 + 0.1 + 1 / 60);
    expect(demand.floorPerSecond).toBeCloseTo(2 / 60);
  });

  it('takes the mean interval of an irregular pattern over its next runs', () => {
    // Minutes 0 and 10 of every hour: 10 min, then 50 min, a mean of 30 over the sample.
    const demand = pollDemand(config([watch('a', '0 0,10 * * * *')]), NOW);
    expect(demand.intervalMs!.shortest / 60_000).toBeCloseTo(30, 0);
  });

  it('adds one listing call per policy reconcile run', () => {
    const policies = { stopPolicies: { nightly: { select: { tag: ['train'] }, dailyAt: '23:00' } }, policyReconcile: '0 * * * * *' };
    const demand = pollDemand(config([], policies), NOW);
    expect(demand.requestsPerSecond).toBeCloseTo(1 / 60);
  });
});

describe('demandWarning', () => {
  it('gives the numbers when the rate limit is below the demand, and nothing when it suffices', () => {
    const watches = Array.from({ length: 500 }, (_, i) => watch(`w${i}`, '*/10 * * * * *', { imageId: `compshareImage-${i}` }));
    const demand = pollDemand(config(watches), NOW);
    expect(demandWarning(demand, 5)).toBe(
      'the watches need 50.0 requests/s (500 watches in 500 request shapes, every 10s) but api.maxRequestsPerSecond is 5:' +
        ' polls will be late or dropped; raise it or slow the schedules',
    );
    expect(demandWarning(demand, 50)).toBeUndefined();
  });
});
