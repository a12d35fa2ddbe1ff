import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { recordPoll } from '../../src/watch/record-poll.js';
import { pollTargetOf } from '../../src/watch/targets.js';
import { runCli, writeSimConfig } from '../helpers/cli.js';
import { SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, SIM_ZONE } from '../helpers/sim.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const keys = { COMPSHARE_PUBLIC_KEY: SIM_PUBLIC_KEY, COMPSHARE_PRIVATE_KEY: SIM_PRIVATE_KEY };
const HOUR_MS = 3_600_000;
const watch = configSchema.parse({
  watches: [{ name: 'w4090', schedule: '0 */10 * * * *', zone: SIM_ZONE, gpuType: '4090', imageId: 'compshareImage-test', chargeType: 'Dynamic', disks: [{ isBoot: true, type: 'CLOUD_SSD', size: 60 }] }],
}).watches[0]!;

interface ForecastJson {
  availableNow: boolean;
  observedHours: number;
  everAvailable: boolean;
  chances: Array<{ withinHours: number; chancePercent: number; hoursWithData: number }>;
  nextWindow: { at: number; atLocal: string; chancePercent: number } | null;
}

/**
 * 30 days of hourly polls up to now in which the 1-GPU row is free only in the hour that starts three hours after
 * the current one (every day), and the 2-GPU row never.
 */
function fillMonth(path: string, freeHourOfDay: number): void {
  const store = HistoryStore.open(path);
  const target = pollTargetOf(watch);
  const lastHour = Math.floor(Date.now() / HOUR_MS);
  try {
    for (let hour = lastHour - 30 * 24 + 1; hour <= lastHour; hour++) {
      const rows = [
        { gpu: 1, cpu: 16, mem: 64, resourceEnough: hour % 24 === freeHourOfDay },
        { gpu: 2, cpu: 32, mem: 128, resourceEnough: false },
      ];
      recordPoll(store, target, { at: hour * HOUR_MS, latencyMs: 40, outcome: { ok: true, rows } }, target.detector);
    }
  } finally {
    store.close();
  }
}

describe('stats forecasts when a key comes back', () => {
  it('in --json and in text, from a month of history in the config timezone', async () => {
    const dir = tempDir();
    const config = writeSimConfig(dir, 'http://127.0.0.1:9', 'timezone: Asia/Shanghai\n');
    const freeHour = Math.floor(Date.now() / HOUR_MS) + 3;
    fillMonth(join(dir, 'history.db'), freeHour % 24);

    const json = await runCli(['stats', '--config', config, '--json'], { env: keys });
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as { keys: Array<{ gpu: number; forecast: ForecastJson }> };
    const [one, two] = parsed.keys;
    expect(one).toMatchObject({ gpu: 1 });
    expect(one!.forecast).toMatchObject({ availableNow: false, everAvailable: true, nextWindow: { at: freeHour * HOUR_MS, chancePercent: 100 } });
    expect(one!.forecast.observedHours).toBeGreaterThanOrEqual(719);
    expect(one!.forecast.chances).toEqual([
      { withinHours: 1, chancePercent: 0, hoursWithData: 1 },
      { withinHours: 6, chancePercent: 100, hoursWithData: 6 },
      { withinHours: 24, chancePercent: 100, hoursWithData: 24 },
    ]);
    // Shanghai keeps whole hours at +08:00, so the local text names the same instant.
    expect(Date.parse(one!.forecast.nextWindow!.atLocal)).toBe(freeHour * HOUR_MS);
    expect(one!.forecast.nextWindow!.atLocal).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00\+08:00$/);
    expect(two!.forecast).toMatchObject({ everAvailable: false, nextWindow: null });
    expect(two!.forecast.chances.map((chance) => chance.chancePercent)).toEqual([0, 0, 0]);

    const text = await runCli(['stats', '--config', config], { env: keys });
    expect(text.code).toBe(0);
    const localHour = String((freeHour + 8) % 24).padStart(2, '0');
    expect(text.stdout).toMatch(new RegExp(`^ {2}forecast: 0% within 1h, 100% within 6h, 100% within 24h; most likely next at (Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${localHour}:00 \\(100%\\)$`, 'm'));
    expect(text.stdout).toMatch(/^ {2}forecast: never available in the last 30d$/m);
  });
});
