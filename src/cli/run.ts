import { ConfigError } from '../config/errors.js';
import type { LoadedConfig } from '../config/load.js';
import { Daemon } from '../daemon/daemon.js';
import { createLogger, LOG_LEVELS } from '../log.js';
import { UsageError } from './usage-error.js';
import { loadConfigSayingWarnings, sayRateWarning } from './config.js';

export interface RunOptions {
  config?: string;
  logLevel?: string;
}

/** `run`: the daemon, in the foreground until SIGINT or SIGTERM. */
export async function run(options: RunOptions): Promise<void> {
  const loaded = await loadConfigSayingWarnings(options.config);
  refuseNothingToRun(loaded);
  sayRateWarning(loaded);
  const log = createLogger({ level: logLevel(options.logLevel, process.env.LOG_LEVEL) });
  const daemon = new Daemon(loaded, log);
  daemon.start();
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      log.info({ signal }, 'stopping');
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await daemon.stop();
}

/** A daemon with no watches and no stop policies would sit idle; an empty or wrong file is the usual cause. */
function refuseNothingToRun({ config, displayPath }: LoadedConfig): void {
  if (config.watches.length > 0 || Object.keys(config.stopPolicies).length > 0) return;
  const problem = 'nothing to run: no watches and no stopPolicies (see config.example.yaml)';
  throw new ConfigError(displayPath, [{ path: [], problem }]);
}

function logLevel(flag: string | undefined, env: string | undefined): string {
  const level = flag ?? env ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')} (got "${level}")`);
  }
  return level;
}
