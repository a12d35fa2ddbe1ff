import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CompshareClient } from '../../src/compshare/client.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { startHttpServer, HTTP_LIMITS, type RunningHttpServer } from '../../src/daemon/http.js';
import { DaemonMetrics } from '../../src/daemon/metrics.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { Notifier, routeEventsToOutbox } from '../../src/notify/notifier.js';
import { pollWatches, type PollerDeps } from '../../src/watch/poller.js';
import { recordPoll } from '../../src/watch/record-poll.js';
import { pollTargetOf } from '../../src/watch/targets.js';
import { StorageHealth } from '../../src/watch/storage-health.js';
import { simClient } from '../helpers/client.js';
import { captureLog } from '../helpers/notify.js';
import { startHttpReceiver } from '../helpers/http-receiver.js';
import { put4090Rows, startTestSim, SIM_ZONE, type TestSim } from '../helpers/sim.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const TOKEN = 'a-token-of-enough-length';
/** 2026-12-01 12:00:00 UTC, on a 10-second boundary of the schedule. */
const START = Date.UTC(2026, 11, 1, 12, 0, 0);
const HOUR_MS = 3_600_000;
/** Text a failing API answered with: the page and the API must carry it as text, never as markup. */
const HOSTILE = '<script>alert(1)</script> & "quoted"';

function configOf(extra: Record<string, unknown>): Config {
  return configSchema.parse({
    ...extra,
    locale: 'zh-CN',
    timezone: 'UTC',
    watches: [{ name: 'w4090', schedule: '*/10 * * * * *', zone: SIM_ZONE, gpuType: '4090', imageId: 'compshareImage-test', chargeType: 'Dynamic', disks: [{ isBoot: true, type: 'CLOUD_SSD', size: 60 }] }],
  });
}

let sim: TestSim;
let client: CompshareClient;
let store: HistoryStore;
let server: RunningHttpServer;
let metrics: DaemonMetrics;
let now: number;
let deps: PollerDeps;
let config: Config;
let ready: boolean;

async function serve(token?: string, extra: Record<string, unknown> = {}): Promise<void> {
  config = configOf({ ...extra, http: token === undefined ? { listen: '127.0.0.1:0' } : { listen: '127.0.0.1:0', token } });
  const view = { store, config: () => config, ready: () => ready, startedAt: START, metrics, clock: { now: () => now } };
  server = await startHttpServer({ listen: '127.0.0.1:0', token, view, log: captureLog().log });
}

beforeEach(async () => {
  sim = await startTestSim();
  await put4090Rows(sim, [[1, 16, 64, true], [2, 32, 128, false]]);
  client = simClient(sim);
  store = HistoryStore.open(join(tempDir(), 'history.db'));
  metrics = new DaemonMetrics();
  store.onEvent(metrics.observeEvent);
  now = START;
  ready = true;
  const { log } = captureLog();
  const clock = { now: () => now, monotonic: () => performance.now() };
  deps = { client, store, clock, log, storage: new StorageHealth(store, log), onPolled: metrics.observePoll };
});
afterEach(async () => {
  await server?.close();
  store.close();
  await client.close();
  await sim.close();
});

const target = () => pollTargetOf(config.watches[0]!);
const poll = () => pollWatches(deps, [target()]);
const failPoll = () => {
  const outcome = { ok: false as const, error: { kind: 'network', message: HOSTILE } };
  recordPoll(store, target(), { at: now, latencyMs: 5, outcome }, target().detector);
};
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });

describe('/healthz', () => {
  it('is 200 while the watch polls, 503 naming it once three scheduled polls passed without success, 200 again after one', async () => {
    await serve();
    await poll();
    expect((await get('/healthz')).status).toBe(200);
    now += 25_000;
    failPoll();
    expect((await get('/healthz')).status).toBe(200);
    now += 20_000;
    failPoll();
    const blind = await get('/healthz');
    expect(blind.status).toBe(503);
    expect(await blind.json()).toMatchObject({ ok: false, blind: [{ name: 'w4090', result: 'failing', late: true }] });
    await poll();
    expect((await get('/healthz')).status).toBe(200);
  });

  it('gives a watch never polled three intervals from the daemon start before calling it late', async () => {
    await serve();
    now = START + 25_000;
    expect((await get('/healthz')).status).toBe(200);
    now = START + 45_000;
    expect((await get('/healthz')).status).toBe(503);
  });
});

describe('/readyz', () => {
  it('is 503 until the daemon says it has started, then 200', async () => {
    ready = false;
    await serve();
    expect((await get('/readyz')).status).toBe(503);
    ready = true;
    expect(await (await get('/readyz')).json()).toEqual({ ready: true });
  });
});

describe('/metrics', () => {
  it('counts polls, flips and latency, shows each key as 0/1 and passes promtool', async () => {
    await serve();
    await poll();
    await put4090Rows(sim, [[1, 16, 64, false], [2, 32, 128, true]]);
    now += 10_000;
    await poll();
    now += 10_000;
    await poll();
    const response = await get('/metrics');
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('compshare_watch_polls_total{watch="w4090",result="ok"} 3');
    expect(text).toContain('compshare_watch_poll_duration_seconds_count{watch="w4090"} 3');
    expect(text).toContain('compshare_watch_flips_total{watch="w4090",to="available"} 1');
    expect(text).toContain('compshare_watch_flips_total{watch="w4090",to="soldout"} 1');
    expect(text).toContain('compshare_watch_spec_available{watch="w4090",gpu="1",cpu="16",mem="64"} 0');
    expect(text).toContain('compshare_watch_spec_available{watch="w4090",gpu="2",cpu="32",mem="128"} 1');
    expect(text).toContain('compshare_watch_outbox_pending 0');
    expect(text).toContain('process_cpu_seconds_total');
    // Sampled every EVENT_LOOP_SAMPLE_MS rather than prom-client's 10 ms, but still exposed.
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (promtool.error) {
      console.warn('promtool not installed (apt-get install prometheus): exposition format not checked');
      return;
    }
    expect(`${promtool.stdout}${promtool.stderr}`).toBe('');
    expect(promtool.status).toBe(0);
  });
});

describe('notification and policy metrics', () => {
  it('show the outbox depth at scrape and count messages by channel and result from the dispatcher', async () => {
    const receiver = await startHttpReceiver(() => ({ status: 503, body: 'down' }));
    await serve(undefined, { notify: ['hook'], notifiers: { hook: { type: 'webhook', url: `${receiver.origin}/hook` } } });
    const notifier = new Notifier(config, store, { now: () => now }, captureLog().log);
    // Not started (the test drives delivery itself): events reach the outbox as a started notifier routes them.
    routeEventsToOutbox(config, store, { now: () => now });
    notifier.dispatcher.onDelivery(metrics.observeDelivery);
    try {
      await poll();
      expect(await (await get('/metrics')).text()).toMatch(/compshare_watch_outbox_pending [1-9]/);
      await notifier.dispatcher.drain();
      receiver.reply(() => ({ status: 200, body: {} }));
      now += 60_000;
      await notifier.dispatcher.drain();
      const text = await (await get('/metrics')).text();
      expect(text).toContain('compshare_watch_notifications_total{channel="hook",result="retry"} 1');
      expect(text).toContain('compshare_watch_notifications_total{channel="hook",result="sent"} 1');
      expect(text).toContain('compshare_watch_outbox_pending 0');
    } finally {
      await receiver.close();
    }
  });

  it('count the policy actions recorded through countingPolicyActions by result', async () => {
    await serve();
    const actions = metrics.countingPolicyActions(store.policyActions);
    const action = { at: now, instanceId: 'uhost-1', instanceName: 'train', policy: 'night', action: 'set' as const, oldStop: null, newStop: 1, result: 'ok' as const, error: null, requestUuid: null };
    actions.record(action);
    actions.record({ ...action, result: 'failed', error: 'refused' });
    expect(store.policyActions.recent(5)).toHaveLength(2);
    const text = await (await get('/metrics')).text();
    expect(text).toContain('compshare_watch_policy_actions_total{result="ok"} 1');
    expect(text).toContain('compshare_watch_policy_actions_total{result="failed"} 1');
  });
});

describe('the token', () => {
  it('is asked of every path but /healthz, as a Bearer header or ?token=, and a wrong one of the same length is refused', async () => {
    await serve(TOKEN);
    await poll();
    expect((await get('/healthz')).status).toBe(200);
    for (const path of ['/readyz', '/metrics', '/api/state', '/api/history', '/api/events', '/']) {
      expect((await get(path)).status, path).toBe(401);
    }
    expect((await get('/api/state', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await get(`/?token=${TOKEN}`)).status).toBe(200);
    const wrong = TOKEN.replace(/.$/, 'X');
    expect((await get('/api/state', { authorization: `Bearer ${wrong}` })).status).toBe(401);
    expect((await get(`/api/state?token=${wrong}`)).status).toBe(401);
  });

  it('is required by the config when listening beyond loopback', () => {
    expect(() => configOf({ http: { listen: '0.0.0.0:9477' } })).toThrow(/needs http\.token/);
    expect(() => configOf({ http: { listen: '[::]:9477' } })).toThrow(/needs http\.token/);
    expect(configOf({ http: { listen: '0.0.0.0:9477', token: TOKEN } }).http).toEqual({ listen: '0.0.0.0:9477', token: TOKEN });
    expect(configOf({ http: { listen: '[::1]:9477' } }).http).toEqual({ listen: '[::1]:9477' });
    expect(configOf({}).http).toEqual({ listen: '127.0.0.1:9477' });
    expect(configOf({ http: false }).http).toBe(false);
    expect(() => configOf({ http: { listen: 'localhost' } })).toThrow(/host:port/);
  });
});

describe('request handling', () => {
  it('answers only GET and HEAD, refuses long URLs and unknown paths', async () => {
    await serve();
    expect((await fetch(`${server.url}/api/state`, { method: 'POST', body: 'x'.repeat(1000) })).status).toBe(405);
    const head = await fetch(`${server.url}/api/state`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await get(`/api/events?x=${'a'.repeat(HTTP_LIMITS.urlChars)}`)).status).toBe(414);
    expect((await get('/nope')).status).toBe(404);
  });

  it('refuses a listen address in use with one line naming http.listen', async () => {
    await serve();
    const view = { store, config: () => config, ready: () => true, startedAt: START, metrics, clock: { now: () => now } };
    const listen = server.url.replace('http://', '');
    await expect(startHttpServer({ listen, view, log: captureLog().log })).rejects.toThrow(
      `http.listen "${listen}": cannot listen: the address is in use (another daemon?)`,
    );
  });
});

describe('the JSON API', () => {
  it('/api/state: each watch with its last poll and keys, blind watches, the outbox and owned instances', async () => {
    await serve();
    await poll();
    now += 10_000;
    failPoll();
    const state = await (await get('/api/state')).json();
    expect(state).toMatchObject({
      at: now,
      live: true,
      blind: [],
      outbox: { pending: 0, failed: 0, channels: [] },
      instances: [],
      watches: [
        {
          name: 'w4090',
          result: 'failing',
          lastOkAt: START,
          failingSince: now,
          lastError: HOSTILE,
          blind: false,
          late: false,
          keys: [{ gpu: 1, cpu: 16, mem: 64, state: 'available', since: START }, { gpu: 2, cpu: 32, mem: 128, state: 'soldout', since: START }],
        },
      ],
    });
  });

  it('/api/history and /api/events are bounded and refuse bad parameters with one line', async () => {
    await serve();
    // Baselines, then sold out after two readings (confirmDown), then available again: four transitions.
    for (const available of [true, false, false, true]) {
      await put4090Rows(sim, [[1, 16, 64, available], [2, 32, 128, false]]);
      await poll();
      now += 10_000;
    }
    const history = (await (await get('/api/history?watch=w4090&since=1h&limit=2')).json()) as { transitions: unknown[] };
    expect(history.transitions).toHaveLength(2);
    expect(history.transitions[0]).toMatchObject({ watch: 'w4090', gpu: 1, to: 'available' });
    const events = (await (await get('/api/events?since=0&limit=3')).json()) as { events: Array<{ type: string }> };
    expect(events.events).toHaveLength(3);
    expect(events.events[0]?.type).toMatch(/^capacity\./);
    const tooMany = await get('/api/events?limit=5000');
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toEqual({ error: 'limit: expected 1 to 1000 (found "5000")' });
    expect((await get('/api/history?watch=other')).status).toBe(400);
    expect((await get('/api/history?since=yesterday')).status).toBe(400);
  });
});

describe('the status page', () => {
  it('renders rows, bars and the heat map in the config locale or ?lang, and shows far-end text as text', async () => {
    await serve();
    await poll();
    now += 10_000;
    failPoll();
    const zh = await get('/');
    expect(zh.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(zh.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await zh.text();
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('有货');
    expect(page.match(/class="key"/g)).toHaveLength(2);
    expect(page.match(/class="bar"/g)).toHaveLength(4);
    expect(page.match(/class="heat"/g)).toHaveLength(2);
    expect(page).not.toContain('<script>');
    expect(page).toContain('&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;quoted&#34;');
    const en = await (await get('/?lang=en')).text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('sold out');
  });

  it('forecasts each key from its hourly history, in the page language', async () => {
    await serve();
    // A week up to START (Tuesday 12:00 UTC): 1 GPU always free, 2 GPUs free daily at 15:00, 4 GPUs never.
    for (let at = START - 7 * 24 * HOUR_MS; at < START; at += HOUR_MS) {
      const rows = [
        { gpu: 1, cpu: 16, mem: 64, resourceEnough: true },
        { gpu: 2, cpu: 32, mem: 128, resourceEnough: new Date(at).getUTCHours() === 15 },
        { gpu: 4, cpu: 64, mem: 256, resourceEnough: false },
      ];
      recordPoll(store, target(), { at, latencyMs: 5, outcome: { ok: true, rows } }, target().detector);
    }
    const forecasts = (page: string) => [...page.matchAll(/<div class="muted forecast">([^<]*)<\/div>/g)].map((match) => match[1]);
    expect(forecasts(await (await get('/?lang=en')).text())).toEqual([
      'forecast: available now',
      'forecast: 100% within 6 h · most likely next: Tue 15:00 (100%)',
      'forecast: never available in the last 30 days',
    ]);
    expect(forecasts(await (await get('/?lang=zh-CN')).text())).toEqual([
      '预测: 当前有货',
      '预测: 6 小时内有货概率 100% · 最可能下次: 周二 15:00 (100%)',
      '预测: 最近 30 天从未有货',
    ]);
  });
});
