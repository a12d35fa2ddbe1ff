/**
 * Where the config is looked for when `--config` is not given, in order. A module of its own so that declaring the
 * `--config` option (every `--help`) does not load the config schema.
 */
export const DEFAULT_CONFIG_PATHS: readonly string[] = ['./config.yaml', '/etc/compshare-watch/config.yaml'];
