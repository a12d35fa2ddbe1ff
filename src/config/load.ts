import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { resolveCredentials, type Credentials } from './credentials.js';
import { ConfigError } from './errors.js';
import { issueProblems } from './format-error.js';
import { interpolate } from './interpolate.js';
import { formatPath, type Problem } from '../schema/message.js';
import { isProvisionerSecret, unusedProvisionerWarnings } from './provisioners.js';
import { configSchema, type Config } from './schema.js';
import { readYamlFile } from './yaml-file.js';
import { configSearchPaths, defaultStoragePath, processPathContext } from './default-paths.js';

export interface LoadOptions {
  /** `--config FILE`; when given, no other place is tried. */
  path?: string;
  env?: NodeJS.ProcessEnv;
  /** Base for relative paths: the config path itself and `storage.path`. */
  cwd?: string;
  /** Where to look without `path`; configSearchPaths() unless given. */
  searchPaths?: readonly string[];
  /** Home directory and root-ness for the default paths; the running process's unless given. */
  user?: { home: string; isRoot: boolean };
}

/** The config file without the key pair: enough for commands that only read history or send alerts. */
export interface LoadedConfigFile {
  /** Absolute path of the file that was read (what a reload reads again). */
  path: string;
  /** The path as the user gave it (or as it was found), as messages show it. */
  displayPath: string;
  /** Validated, with defaults filled in and `storage.path` made absolute (defaultStoragePath() when unset). */
  config: Config;
}

export interface LoadedConfig extends LoadedConfigFile {
  credentials: Credentials;
  /** One line each, for stderr: things that work but should be fixed (a key file others can read). No secrets. */
  warnings: string[];
}

/** The config file plus the key pair, for commands that call the API. */
export async function loadConfig(options: LoadOptions = {}): Promise<LoadedConfig> {
  const file = await loadConfigFile(options);
  const { credentials, warnings } = await resolveCredentials(file.config.credentials, options.env ?? process.env, {
    file: file.displayPath,
    absolutePath: file.path,
  });
  return { ...file, credentials, warnings: [...warnings, ...unusedProvisionerWarnings(file.config, file.displayPath)] };
}

/**
 * Finds, reads, interpolates and validates the config file. Failures are a ConfigError listing every problem, one
 * line each: `<file>: <yaml path>: <problem>`.
 */
export async function loadConfigFile(options: LoadOptions = {}): Promise<LoadedConfigFile> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const context = { ...processPathContext(env), ...options.user };
  const { displayPath, path } = await locate(options.path, cwd, options.searchPaths ?? configSearchPaths(context));

  const read = await readYamlFile(path);
  if (read.kind === 'unreadable') throw new ConfigError(displayPath, [{ path: [], problem: read.problem }]);
  if (read.kind === 'syntax') throw new ConfigError(displayPath, [{ path: [], problem: read.problem, at: read.at }]);

  // An empty file (or one of comments only) is an empty mapping: every section has defaults.
  const { value, filled, problems: unfilled } = interpolate(read.value ?? {}, env);
  const parsed = configSchema.safeParse(value, { reportInput: true });
  // Key material, and whatever came from the environment (it may be a password), never reaches a message.
  // Credentials, notifier settings (SMTP passwords, webhook tokens and secrets) and provisioner passwords are never
  // echoed back.
  const showValue = (at: readonly PropertyKey[]) =>
    at[0] !== 'credentials' && at[0] !== 'notifiers' && !isProvisionerSecret(at) && !filled.has(formatPath(at));
  // A value left as `${UNSET}` fails its own check too; the unset variable is the one thing to say about it.
  const unfilledPaths = new Set(unfilled.map(({ path: at }) => formatPath(at)));
  const invalid = parsed.success
    ? []
    : issueProblems(parsed.error, showValue).filter(({ path: at }) => !unfilledPaths.has(formatPath(at)));
  const [first, ...rest]: Problem[] = [...unfilled, ...invalid];
  if (first !== undefined) throw new ConfigError(displayPath, [first, ...rest]);
  if (!parsed.success) throw new TypeError('loadConfigFile: a failed parse always has a problem');
  const storagePath = storagePathGiven(value) ? resolve(cwd, parsed.data.storage.path) : defaultStoragePath(context);
  const config = { ...parsed.data, storage: { ...parsed.data.storage, path: storagePath } };
  return { path, displayPath, config };
}

/** Whether the file sets `storage.path` (the default depends on the environment, which the schema cannot see). */
function storagePathGiven(value: unknown): boolean {
  const storage = typeof value === 'object' && value !== null ? (value as { storage?: unknown }).storage : undefined;
  return typeof storage === 'object' && storage !== null && (storage as { path?: unknown }).path !== undefined;
}

async function locate(
  given: string | undefined,
  cwd: string,
  searchPaths: readonly string[],
): Promise<{ displayPath: string; path: string }> {
  // A given path is used even if missing, so that reading it reports "file not found" under its name.
  if (given !== undefined) return { displayPath: given, path: resolve(cwd, given) };
  for (const candidate of searchPaths) {
    const path = resolve(cwd, candidate);
    if (await exists(path)) return { displayPath: candidate, path };
  }
  const tried = searchPaths.join(', ');
  throw new ConfigError(undefined, [{ path: [], problem: `no config file found (tried ${tried}); pass --config FILE` }]);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
