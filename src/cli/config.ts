import { ConfigError } from '../config/errors.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { EXIT_USAGE } from './exit.js';
import { demandWarning, pollDemand } from '../watch/demand.js';

export interface ValidateOptions {
  config?: string;
  json?: boolean;
}

/** `config validate`: load a config exactly as the other commands do, credentials included, and say it is fine. */
export async function validate(options: ValidateOptions): Promise<void> {
  if (options.json) return validateAsJson(options.config);
  const loaded = await loadConfigSayingWarnings(options.config);
  sayRateWarning(loaded);
  const names = loaded.config.watches.map((watch) => watch.name);
  const count = `${names.length} ${names.length === 1 ? 'watch' : 'watches'}`;
  process.stdout.write(`OK: ${loaded.displayPath}: ${count}\n`);
}

/**
 * The config, key pair included, for every command that uses the API; its warnings (a key file others can read) go
 * to stderr, one line each, so no command uses such a config without saying so.
 */
export async function loadConfigSayingWarnings(path: string | undefined): Promise<LoadedConfig> {
  const loaded = await loadConfig({ path });
  for (const warning of loaded.warnings) process.stderr.write(`compshare-watch: warning: ${warning}\n`);
  return loaded;
}

/** Says on stderr when `api.maxRequestsPerSecond` cannot serve what the watches' schedules ask for. */
export function sayRateWarning(loaded: LoadedConfig): void {
  const warning = rateWarning(loaded);
  if (warning !== undefined) process.stderr.write(`compshare-watch: warning: ${warning}\n`);
}

function rateWarning({ config }: LoadedConfig): string | undefined {
  return demandWarning(pollDemand(config, Date.now()), config.api.maxRequestsPerSecond);
}

/** The same check for scripts: the outcome as one JSON object on stdout, whether the config is valid or not. */
async function validateAsJson(path: string | undefined): Promise<void> {
  try {
    const loaded = await loadConfig({ path });
    const watches = loaded.config.watches.map((watch) => watch.name);
    const rate = rateWarning(loaded);
    const warnings = rate === undefined ? loaded.warnings : [...loaded.warnings, rate];
    process.stdout.write(`${JSON.stringify({ ok: true, path: loaded.path, watches, warnings })}\n`);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stdout.write(`${JSON.stringify({ ok: false, file: error.file, problems: error.problems })}\n`);
    process.exitCode = EXIT_USAGE;
  }
}
