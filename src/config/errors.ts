/**
 * A problem with the configuration, phrased as `<file>: <yaml path>: <problem>` on one line.
 * Never carries a secret's value.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
