import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../config/load.js';
import { Daemon } from '../daemon/daemon.js';
import { startCapacityChurn, type CapacityChurn } from '../demo/churn.js';
import { demoConfig, statusPage } from '../demo/config.js';
import { demoScenario } from '../demo/scenario.js';
import { createLogger } from '../log.js';
import type { Locale } from '../notify/locales/index.js';
import { startSimulator, type RunningSimulator } from '../sim/server.js';
import { parseInteger } from './sim.js';

export interface DemoOptions {
  duration?: string;
  port?: string;
}

/** The longest `--duration`: a day, far beyond any demo, so a typo cannot leave it running for weeks. */
const MAX_DURATION_SECONDS = 86_400;
/** Wall time between two capacity changes: a flip every few seconds. */
const CHURN_EVERY_MS = 3_000;
/** A fixed seed: every demo tells the same story, which makes it easy to describe and to test. */
const CHURN_SEED = 11;

/**
 * `demo`: the whole daemon against an in-process simulator, with a throwaway config and database, alerts printed
 * here. Nothing needs an account; the temporary directory is removed when it ends.
 */
export async function demo(options: DemoOptions): Promise<void> {
  const durationSeconds =
    options.duration === undefined ? undefined : parseInteger('--duration', options.duration, 1, MAX_DURATION_SECONDS);
  const port = options.port === undefined ? undefined : parseInteger('--port', options.port, 0, 65_535);
  const publicKey = `demo-${randomBytes(8).toString('hex')}`;
  const privateKey = randomBytes(24).toString('hex');
  const dir = await mkdtemp(join(tmpdir(), 'compshare-watch-demo-'));
  let simulator: RunningSimulator | undefined;
  let churn: CapacityChurn | undefined;
  try {
    simulator = await startSimulator({ publicKey, privateKey, scenario: demoScenario() });
    churn = startCapacityChurn(simulator.state.capacity, CHURN_SEED, CHURN_EVERY_MS);
    const configPath = join(dir, 'config.yaml');
    const inputs = { simUrl: simulator.url, dir, publicKey, privateKey, locale: localeOf(process.env.LANG), port };
    const document = demoConfig({ ...inputs, desktop: Boolean(process.env.DBUS_SESSION_BUS_ADDRESS), timezone: localZone() });
    await writeFile(configPath, stringify(document), { mode: 0o600 });
    const loaded = await loadConfig({ path: configPath, env: {} });
    // Alerts are the show; the daemon's own lines would drown them, so only its warnings and errors are logged.
    const daemon = new Daemon(loaded, createLogger({ level: 'warn' }));
    daemon.start();
    process.stdout.write(introduction(simulator.url, dir, configPath, statusPage(port).url, durationSeconds));
    await untilSignalOrTimeout(durationSeconds);
    await daemon.stop();
    process.stdout.write(summary(simulator.state.requests.counts()));
  } finally {
    churn?.stop();
    await simulator?.close();
    await rm(dir, { recursive: true, force: true });
  }
  process.stdout.write(`Removed ${dir}.\n`);
}

/** Alerts in Chinese for a Chinese locale, English otherwise (LANG=zh_CN.UTF-8, zh_TW, ...). */
function localeOf(lang: string | undefined): Locale {
  return lang?.startsWith('zh') ? 'zh-CN' : 'en';
}

/** The machine's zone, so the times in alerts and `history` read as the user's own clock. */
function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function introduction(
  simUrl: string,
  dir: string,
  configPath: string,
  pageUrl: string | undefined,
  durationSeconds: number | undefined,
): string {
  const until = durationSeconds === undefined ? 'until Ctrl-C' : `for ${durationSeconds} s (or until Ctrl-C)`;
  return [
    `compshare-watch demo: a simulated Compshare with 4090 and 5090 cards freeing up and selling out every few seconds.`,
    `Simulator:  ${simUrl}`,
    `Temp dir:   ${dir} (config.yaml and history.db; removed at the end)`,
    ...(pageUrl === undefined ? [] : [`Status page: ${pageUrl}`]),
    'What to look at:',
    '  - the alerts below: capacity flips (available, sold out) and "[dry run] Would create" from the 4090 provisioner',
    '  - in another terminal, while it runs:',
    `      compshare-watch history --config ${configPath}     (what the watches saw)`,
    `      compshare-watch instances --config ${configPath}   (the two tagged demo get a stop 8 h after their start)`,
    `Running ${until}.`,
    '',
    '',
  ].join('\n');
}

/** What the simulator was asked, so it is plain that the dry run created nothing. */
function summary(counts: Record<string, number>): string {
  const calls = Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([action, count]) => `${action} ${count}`)
    .join(', ');
  const creates = counts.CreateCompShareInstance ?? 0;
  return `Simulator calls: ${calls || 'none'}. Instances created: ${creates}.\n`;
}

/** Resolves on SIGINT or SIGTERM, or after `seconds` when given. */
function untilSignalOrTimeout(seconds: number | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = seconds === undefined ? undefined : setTimeout(done, seconds * 1000);
    function done(): void {
      clearTimeout(timer);
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    }
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
