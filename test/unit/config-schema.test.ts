import { describe, expect, it } from 'vitest';
import { configSchema, matchesSpec, type MatchConfig } from '../../src/config/schema.js';

describe('matchesSpec', () => {
  const row = { gpu: 2, cpu: 32, mem: 128 };
  it.each<[string, MatchConfig | undefined, boolean]>([
    ['no match: every row counts', undefined, true],
    ['empty match', {}, true],
    ['gpu count listed', { gpu: [1, 2] }, true],
    ['gpu count not listed', { gpu: [1, 4] }, false],
    ['cpu at the minimum', { minCpu: 32 }, true],
    ['cpu below the minimum', { minCpu: 33 }, false],
    ['memory at the minimum', { minMemGb: 128 }, true],
    ['memory below the minimum', { minMemGb: 256 }, false],
    ['all three satisfied', { gpu: [2], minCpu: 16, minMemGb: 64 }, true],
    ['one of three fails', { gpu: [2], minCpu: 16, minMemGb: 256 }, false],
  ])('%s', (_case, match, expected) => {
    expect(matchesSpec(match, row)).toBe(expected);
  });
});

describe('configSchema', () => {
  it('gives every default section its own copy', () => {
    const first = configSchema.parse({});
    first.watches.push({} as never);
    expect(configSchema.parse({}).watches).toEqual([]);
  });

  it('accepts six-field (seconds) and five-field cron patterns', () => {
    const watch = (schedule: string) => ({
      name: 'w',
      schedule,
      zone: 'z',
      gpuType: '4090',
      imageId: 'i',
      chargeType: 'Spot',
      disks: [{ isBoot: true, type: 'CLOUD_SSD', size: 1 }],
    });
    expect(configSchema.safeParse({ watches: [watch('*/20 * * * * *')] }).success).toBe(true);
    expect(configSchema.safeParse({ watches: [watch('0 9 * * 1-5')] }).success).toBe(true);
  });
});
