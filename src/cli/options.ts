import { Option } from 'commander';
import { DEFAULT_CONFIG_PATHS } from '../config/load.js';

/** `-c, --config FILE`, the same on every command that reads the config. */
export function configOption(): Option {
  return new Option('-c, --config <file>', `config file (default ${DEFAULT_CONFIG_PATHS.join(', then ')})`);
}
