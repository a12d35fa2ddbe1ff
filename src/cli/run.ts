import { Daemon } from '../daemon/daemon.js';
import { refuseNothingToRun } from '../daemon/reload.js';
import { createLogger, LOG_LEVELS, type Logger } from '../log.js';
import { UsageError } from './usage-error.js';
import { loadConfigSayingWarnings, sayRateWarning } from './config.js';

export interface RunOptions {
  config?: string;
  logLevel?: string;
}

/** Exit status after a second stop signal cut the shutdown short: 128 + the signal's number, as a shell reports it. */
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * `run`: the daemon, in the foreground until SIGINT or SIGTERM; SIGHUP reloads the config. The handlers are in
 * place before the daemon starts, so a signal during start is never the default one (which would kill it).
 */
export async function run(options: RunOptions): Promise<void> {
  const loaded = await loadConfigSayingWarnings(options.config);
  refuseNothingToRun(loaded);
  sayRateWarning(loaded);
  const log = createLogger({ level: logLevel(options.logLevel, process.env.LOG_LEVEL) });
  const daemon = new Daemon(loaded, log);
  const stopSignal = untilStopSignal(daemon, log);
  process.on('SIGHUP', () => {
    daemon.reload().catch((error: unknown) => failed(daemon, log, error));
  });
  await daemon.start();
  await stopSignal;
  await daemon.stop();
}

/**
 * Resolves on the first SIGINT or SIGTERM. A second one means "now": the database is closed between two writes
 * and the process exits without waiting for anything under way.
 */
function untilStopSignal(daemon: Daemon, log: Logger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let first: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (first === undefined) {
        first = signal;
        log.info({ signal }, 'stopping');
        resolve(signal);
        return;
      }
      log.warn({ signal }, 'second signal: exiting now without waiting for work under way');
      daemon.closeNow();
      process.exit(SIGNAL_EXIT[signal] ?? 1);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** A reload that could start neither the new config nor the old one again leaves nothing running: stop there. */
function failed(daemon: Daemon, log: Logger, error: unknown): void {
  log.fatal({ err: error instanceof Error ? error.message : String(error) }, 'no runtime could be started after a reload; exiting');
  daemon.closeNow();
  process.exit(1);
}

function logLevel(flag: string | undefined, env: string | undefined): string {
  const level = flag ?? env ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')} (got "${level}")`);
  }
  return level;
}
