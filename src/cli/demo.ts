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
import { startSimulator, type RunningSimulator } from '../sim/server.js';
import { parseInteger } from './sim.js';
import { createServer } from 'node:net';

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
  const asked = options.port === undefined ? 0 : parseInteger('--port', options.port, 0, 65_535);
  const publicKey = `demo-${randomBytes(8).toString('hex')}`;
  const privateKey = randomBytes(24).toString('hex');
  // Listening from the start, so a Ctrl-C during start-up still removes the temporary directory.
  const stop = stopRequest();
  const dir = await mkdtemp(join(tmpdir(), 'compshare-watch-demo-'));
  let simulator: RunningSimulator | undefined;
  let churn: CapacityChurn | undefined;
  try {
    simulator = await startSimulator({ publicKey, privateKey, scenario: demoScenario() });
    churn = startCapacityChurn(simulator.state.capacity, CHURN_SEED, CHURN_EVERY_MS);
    const configPath = join(dir, 'config.yaml');
    const port = asked === 0 ? await freePort() : asked;
    const where = { simUrl: simulator.url, dir, port, env: process.env, timezone: localZone() };
    const document = demoConfig({ ...where, publicKey, privateKey });
    await writeFile(configPath, stringify(document), { mode: 0o600 });
    const loaded = await loadConfig({ path: configPath, env: {} });
    // Alerts are the show; the daemon's own lines would drown them, so only its warnings and errors are logged.
    const daemon = new Daemon(loaded, createLogger({ level: 'warn' }));
    await daemon.start();
    process.stdout.write(introduction(simulator.url, dir, configPath, statusPage(port).url, durationSeconds));
    await stop.after(durationSeconds);
    await daemon.stop();
    process.stdout.write(summary(simulator.state.requests.counts()));
  } finally {
    stop.dispose();
    churn?.stop();
    await simulator?.close();
    await rm(dir, { recursive: true, force: true });
  }
  process.stdout.write(`Removed ${dir}.\n`);
}

/** The machine's zone, so the times in alerts and `history` read as the user's own clock. */
function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function introduction(
  simUrl: string,
  dir: string,
  configPath: string,
  pageUrl: string,
  durationSeconds: number | undefined,
): string {
  const until = durationSeconds === undefined ? 'until Ctrl-C' : `for ${durationSeconds} s (or until Ctrl-C)`;
  return [
    `compshare-watch demo: a simulated Compshare with 4090 and 5090 cards freeing up and selling out every few seconds.`,
    `Simulator:  ${simUrl}`,
    `Temp dir:   ${dir} (config.yaml and history.db; removed at the end)`,
    `Status page: ${pageUrl}  (also: compshare-watch status --config ${configPath})`,
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

/** SIGINT or SIGTERM, heard from the moment it is made; `after` also ends the wait after `seconds` when given. */
function stopRequest(): { after(seconds: number | undefined): Promise<void>; dispose(): void } {
  let timer: NodeJS.Timeout | undefined;
  let request = (): void => undefined;
  const requested = new Promise<void>((resolve) => (request = resolve));
  const dispose = (): void => {
    clearTimeout(timer);
    process.off('SIGINT', request);
    process.off('SIGTERM', request);
  };
  process.on('SIGINT', request);
  process.on('SIGTERM', request);
  return {
    after(seconds) {
      if (seconds !== undefined) timer = setTimeout(request, seconds * 1000);
      return requested;
    },
    dispose,
  };
}

/** A port free on loopback now, for the status page: the demo prints its address before the daemon listens. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
