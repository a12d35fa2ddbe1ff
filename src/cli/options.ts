import { Option } from 'commander';
import { DEFAULT_CONFIG_PATHS } from '../config/default-paths.js';
import type { WatchConfig } from '../config/schema.js';
import { UsageError } from './usage-error.js';

/** `-c, --config FILE`, the same on every command that reads the config. */
export function configOption(): Option {
  return new Option('-c, --config <file>', `config file (default ${DEFAULT_CONFIG_PATHS.join(', then ')})`);
}

/** The watch `--watch NAME` names; an unknown name is a usage error listing the configured ones. */
export function watchNamed(watches: readonly WatchConfig[], name: string): WatchConfig {
  const watch = watches.find((candidate) => candidate.name === name);
  if (watch) return watch;
  throw new UsageError(`unknown watch "${name}" (configured: ${watches.map((w) => w.name).join(', ') || 'none'})`);
}
