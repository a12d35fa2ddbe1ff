import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { startHttpServer, type RunningHttpServer } from '../../src/daemon/http.js';
import { DaemonMetrics } from '../../src/daemon/metrics.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { recordPoll } from '../../src/watch/record-poll.js';
import { pollTargetOf } from '../../src/watch/targets.js';
import { captureLog } from '../helpers/notify.js';
import { SIM_ZONE } from '../helpers/sim.js';
import { useTempDir } from '../helpers/temp-dir.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const PHONE = { width: 390, height: 844 };
const HOUR_MS = 3_600_000;
const tempDir = useTempDir();

const config = configSchema.parse({
  locale: 'zh-CN',
  timezone: 'Asia/Shanghai',
  watches: [{ name: 'w4090', schedule: '0 */10 * * * *', zone: SIM_ZONE, gpuType: '4090', imageId: 'compshareImage-test', chargeType: 'Dynamic', disks: [{ isBoot: true, type: 'CLOUD_SSD', size: 60 }] }],
});

/** A week of hourly polls in which the 1-GPU row comes and goes with the working day and the 2-GPU row is rare. */
function fillWeek(store: HistoryStore, now: number): void {
  const target = pollTargetOf(config.watches[0]!);
  for (let at = now - 7 * 24 * HOUR_MS; at <= now; at += HOUR_MS / 2) {
    const hour = new Date(at).getUTCHours();
    const rows = [
      { gpu: 1, cpu: 16, mem: 64, resourceEnough: hour < 2 || hour > 14 },
      { gpu: 2, cpu: 32, mem: 128, resourceEnough: hour === 18 },
    ];
    recordPoll(store, target, { at, latencyMs: 40, outcome: { ok: true, rows } }, target.detector);
  }
}

function addOwnedInstance(store: HistoryStore, now: number): void {
  const intent = { provisioner: 'grab', name: 'grab-0123456789', eventId: 'e-1', watch: 'w4090', trigger: { gpu: 1, cpu: 16, mem: 64 }, dryRun: false, createdAt: now - HOUR_MS };
  store.provisions.add(intent);
  const { id } = store.provisions.recent(1)[0]!;
  store.provisions.mark(id, { status: 'created', instanceId: 'uhost-abc', instanceState: 'Running', stopStatus: 'set', stopTime: Math.floor(now / 1000) + 7 * 3600 });
}

let browser: Browser | undefined;
let server: RunningHttpServer | undefined;
let store: HistoryStore | undefined;

beforeAll(async () => {
  if (existsSync(CHROMIUM)) browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await server?.close();
  store?.close();
});

describe('the status page in Chromium at phone width', () => {
  it.each(['en', 'zh-CN'] as const)('shows rows, bars, heat maps, events and instances without horizontal scrolling (%s)', async (lang) => {
    if (!browser) {
      console.warn(`${CHROMIUM} not found (apt-get install chromium): status page not rendered`);
      return;
    }
    const now = Date.now();
    store = HistoryStore.open(join(tempDir(), 'history.db'));
    fillWeek(store, now);
    addOwnedInstance(store, now);
    const view = { store, config: () => config, ready: () => true, startedAt: now - 8 * 24 * HOUR_MS, metrics: new DaemonMetrics(), clock: { now: () => now } };
    server = await startHttpServer({ listen: '127.0.0.1:0', view, log: captureLog().log });
    const page = await browser.newPage({ viewport: PHONE });
    try {
      const answer = await page.goto(`${server.url}/?lang=${lang}`);
      expect(answer?.status()).toBe(200);
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      expect(await page.locator('.key').count()).toBe(2);
      expect(await page.locator('svg.bar').count()).toBe(4);
      expect(await page.locator('svg.bar').first().locator('rect').count()).toBe(24);
      expect(await page.locator('svg.heat').count()).toBe(2);
      expect(await page.locator('svg.heat').first().locator('rect').count()).toBe(7 * 24);
      expect(await page.locator('ul.events li').count()).toBeGreaterThan(0);
      // Each key says when it is likely back (or that it is available now), in the page's language.
      expect(await page.locator('.key .forecast').count()).toBe(2);
      expect(await page.locator('.key .forecast').first().innerText()).toMatch(lang === 'en' ? /^forecast: / : /^预测: /);
      await expect.poll(() => page.locator('body').innerText()).toContain('uhost-abc');
      // Every bar is drawn at a usable size and the page fits the phone.
      const bar = await page.locator('svg.bar').first().boundingBox();
      expect(bar!.width).toBeGreaterThan(300);
      // A string, run in the page: the test's TypeScript knows no DOM.
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      mkdirSync(ARTIFACTS, { recursive: true });
      const path = join(ARTIFACTS, `status-page-${lang}.png`);
      await page.screenshot({ path, fullPage: true });
      console.log(`status page screenshot: ${path}`);
    } finally {
      await page.close();
    }
  });
});
