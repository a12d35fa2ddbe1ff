import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * Where the config is looked for when `--config` is not given, in order, as `--help` shows it. A module of its own
 * (no schema import) so that declaring the `--config` option on every `--help` stays cheap.
 */
export const DEFAULT_CONFIG_PATHS: readonly string[] = [
  '$CONFIGURATION_DIRECTORY/config.yaml',
  './config.yaml',
  '$XDG_CONFIG_HOME/compshare-watch/config.yaml',
  '/etc/compshare-watch/config.yaml',
];

/** Who the paths are for: the environment, the home directory and whether the user is root. */
export interface PathContext {
  env: NodeJS.ProcessEnv;
  home: string;
  isRoot: boolean;
}

/** The running process's context. */
export function processPathContext(env: NodeJS.ProcessEnv = process.env): PathContext {
  return { env, home: homedir(), isRoot: process.getuid?.() === 0 };
}

/**
 * The config files to try, in order: systemd's `ConfigurationDirectory=` (when set), the working directory, the
 * user's XDG config directory, then the system one.
 */
export function configSearchPaths({ env, home }: PathContext): string[] {
  const configuration = firstDirectory(env.CONFIGURATION_DIRECTORY);
  return [
    ...(configuration === undefined ? [] : [join(configuration, 'config.yaml')]),
    './config.yaml',
    join(xdgDirectory(env.XDG_CONFIG_HOME, join(home, '.config')), 'compshare-watch', 'config.yaml'),
    '/etc/compshare-watch/config.yaml',
  ];
}

/**
 * The database when `storage.path` is not set: systemd's `StateDirectory=` (when set), else the XDG state
 * directory for a user, and /var/lib for root: a user never gets pointed at a directory only root may write.
 */
export function defaultStoragePath({ env, home, isRoot }: PathContext): string {
  const state = firstDirectory(env.STATE_DIRECTORY);
  if (state !== undefined) return join(state, 'history.db');
  if (isRoot) return '/var/lib/compshare-watch/history.db';
  return join(xdgDirectory(env.XDG_STATE_HOME, join(home, '.local', 'state')), 'compshare-watch', 'history.db');
}

/** systemd sets a colon-separated list when a unit names several directories; the first is this daemon's own. */
function firstDirectory(list: string | undefined): string | undefined {
  const first = list?.split(':')[0];
  return first === undefined || first === '' ? undefined : first;
}

/** The XDG base directory spec ignores a relative value (and an empty one) and uses the default instead. */
function xdgDirectory(value: string | undefined, fallback: string): string {
  return value !== undefined && isAbsolute(value) ? value : fallback;
}
