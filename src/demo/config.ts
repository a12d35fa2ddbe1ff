import { join } from 'node:path';
import type { Locale } from '../notify/locales/index.js';
import { DEMO_TAG, DEMO_ZONE } from './scenario.js';

/** How often each demo watch polls: every 2 s, lively without crowding the simulator. */
export const DEMO_POLL_SCHEDULE = '*/2 * * * * *';
/** How often the stop policy is reconciled. */
export const DEMO_RECONCILE_SCHEDULE = '*/30 * * * * *';

/** What the demo config is built from: where the simulator and the files are, and who is watching. */
export interface DemoConfigInputs {
  simUrl: string;
  /** The temporary directory holding the config and the database. */
  dir: string;
  /** The key pair the simulator accepts (made up for this run; they open nothing else). */
  publicKey: string;
  privateKey: string;
  /** LANG picks the alerts' language; DBUS_SESSION_BUS_ADDRESS says desktop alerts can be shown too. */
  env: NodeJS.ProcessEnv;
  timezone: string;
  /** The status page's port on loopback. */
  port: number;
}

const watchShape = {
  zone: DEMO_ZONE,
  imageId: 'compshareImage-demo',
  chargeType: 'Dynamic',
  disks: [{ isBoot: true, type: 'CLOUD_SSD', size: 60 }],
  // One reading is enough either way, so each churn step shows as a flip within one poll.
  confirmDown: 1,
};

/**
 * The whole demo config as a plain document, written to config.yaml and read back through the real loader, so the
 * demo runs exactly what a user's file would. Alerts go to the console (and the desktop where there is one); a
 * dry-run provisioner grabs 4090s; a stop policy gives the tagged instances an 8-hour limit.
 */
export function demoConfig(inputs: DemoConfigInputs): Record<string, unknown> {
  const channels = inputs.env.DBUS_SESSION_BUS_ADDRESS ? ['console', 'desktop'] : ['console'];
  return {
    credentials: { publicKey: inputs.publicKey, privateKey: inputs.privateKey },
    api: { baseUrl: inputs.simUrl, region: 'cn-wlcb', timeoutMs: 2_000 },
    storage: { path: join(inputs.dir, 'history.db') },
    timezone: inputs.timezone,
    locale: localeOf(inputs.env.LANG),
    watches: [
      { name: 'demo-4090', schedule: DEMO_POLL_SCHEDULE, gpuType: '4090', provision: 'grab-4090', ...watchShape },
      { name: 'demo-5090', schedule: DEMO_POLL_SCHEDULE, gpuType: '5090', ...watchShape },
    ],
    provisioners: {
      'grab-4090': {
        dryRun: true,
        candidates: [{ gpu: 1, cpu: 16, memGb: 64 }, { gpu: 2, cpu: 32, memGb: 128 }],
        maxHourlyPrice: 5,
        stopPolicy: 'eight-hours',
        cooldown: '20s',
      },
    },
    stopPolicies: { 'eight-hours': { select: { tag: [DEMO_TAG] }, maxRuntimeHours: 8 } },
    policyReconcile: DEMO_RECONCILE_SCHEDULE,
    notifiers: Object.fromEntries(channels.map((type) => [type, { type }])),
    notify: channels,
    delivery: { groupWindow: '3s' },
    ...statusPage(inputs.port).config,
  };
}

/** Alerts in Chinese for a Chinese locale (LANG=zh_CN.UTF-8, zh_TW, ...), English otherwise. */
function localeOf(lang: string | undefined): Locale {
  return lang?.startsWith('zh') ? 'zh-CN' : 'en';
}

/** The status page of the demo's daemon: on `port` (the demo picks a free one when `--port` is 0 or absent). */
export function statusPage(port: number): { config: Record<string, unknown>; url: string } {
  return { config: { http: { listen: `127.0.0.1:${port}` } }, url: `http://127.0.0.1:${port}/` };
}
