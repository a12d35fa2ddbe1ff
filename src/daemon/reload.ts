import { isDeepStrictEqual } from 'node:util';
import { ConfigError } from '../config/errors.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';

/** A daemon with no watches and no stop policies would sit idle; an empty or wrong file is the usual cause. */
export function refuseNothingToRun({ config, displayPath }: LoadedConfig): void {
  if (config.watches.length > 0 || Object.keys(config.stopPolicies).length > 0) return;
  const problem = 'nothing to run: no watches and no stopPolicies (see config.example.yaml)';
  throw new ConfigError(displayPath, [{ path: [], problem }]);
}

/** What a SIGHUP found: a config to swap in, or why the running one stays. */
export type Replacement = { ok: true; loaded: LoadedConfig } | { ok: false; reason: string };

/**
 * Reads the running config's file again (the same path, credentials included) and checks it as `run` would at
 * start. Every problem is told in one line, for a log that gets one error line per refused reload.
 */
export async function replacementFor(running: LoadedConfig): Promise<Replacement> {
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig({ path: running.path });
    refuseNothingToRun(loaded);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { ok: false, reason: error.message.split('\n').join('; ') };
  }
  const [from, to] = [running.config.storage.path, loaded.config.storage.path];
  if (from !== to) return { ok: false, reason: `storage.path changed (${from} -> ${to}); restart the daemon to use another database` };
  return { ok: true, loaded };
}

/** Watch names the new config adds, removes, and changes in any field, for the line a reload logs. */
export function watchChanges(before: LoadedConfig, after: LoadedConfig): { added: string[]; removed: string[]; changed: string[] } {
  const old = new Map(before.config.watches.map((watch) => [watch.name, watch]));
  const next = new Map(after.config.watches.map((watch) => [watch.name, watch]));
  return {
    added: [...next.keys()].filter((name) => !old.has(name)),
    removed: [...old.keys()].filter((name) => !next.has(name)),
    changed: [...next].filter(([name, watch]) => old.has(name) && !isDeepStrictEqual(old.get(name), watch)).map(([name]) => name),
  };
}
