import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from './errors.js';
import { issueProblems } from './format-error.js';
import type { ProvisionerConfig } from './provisioners.js';
import { credentialsFileSchema, type Config } from './schema.js';
import { readYamlFile } from './yaml-file.js';
import { formatPath, type Problem } from '../schema/message.js';

/** The Compshare API key pair, and what else the key file holds. */
export interface Credentials {
  publicKey: string;
  privateKey: string;
  /** From the key file: the login password of created instances, for provisioners that set no `password`. */
  instancePassword?: string;
}

/** The key pair and what the user should hear about where it came from (never the keys themselves). */
export interface ResolvedCredentials {
  credentials: Credentials;
  warnings: string[];
}

export const PUBLIC_KEY_ENV = 'COMPSHARE_PUBLIC_KEY';
export const PRIVATE_KEY_ENV = 'COMPSHARE_PRIVATE_KEY';

/** Where the key pair is being taken from, for messages: the config file as shown to the user, and its location. */
export interface CredentialsSource {
  file: string;
  absolutePath: string;
}

/** Permission bits for group and others: a key file with any of them set can be read by someone else. */
const SHARED_MODE_BITS = 0o077;

/**
 * The key pair, from the first place that has one: `credentials.publicKey/privateKey`, then `credentials.file`,
 * then the COMPSHARE_PUBLIC_KEY / COMPSHARE_PRIVATE_KEY environment variables. What the config says explicitly
 * wins over the environment, so a file that is set but missing is an error, not a silent fall-through. Half a pair
 * anywhere is an error rather than a reason to look further, since it is almost always a mistake.
 */
export async function resolveCredentials(
  section: Config['credentials'],
  env: NodeJS.ProcessEnv,
  source: CredentialsSource,
): Promise<ResolvedCredentials> {
  const fail = (problem: string) => new ConfigError(source.file, [{ path: ['credentials'], problem }]);
  const fromConfig = pair(section?.publicKey, section?.privateKey, ['publicKey', 'privateKey'], fail);
  if (fromConfig) return { credentials: fromConfig, warnings: [] };
  if (section?.file !== undefined) return readKeyFile(resolve(dirname(source.absolutePath), section.file), source);
  const fromEnv = pair(nonEmpty(env[PUBLIC_KEY_ENV]), nonEmpty(env[PRIVATE_KEY_ENV]), [PUBLIC_KEY_ENV, PRIVATE_KEY_ENV], (problem) =>
    fail(`environment variable ${problem}`),
  );
  if (fromEnv) return { credentials: fromEnv, warnings: [] };
  throw fail(
    `no key pair; set credentials.publicKey and credentials.privateKey, credentials.file, or the ${PUBLIC_KEY_ENV} ` +
      `and ${PRIVATE_KEY_ENV} environment variables`,
  );
}

/**
 * Messages name the key file's path (a path is not a secret) but never echo its content: yaml's own wording may
 * quote the offending text, which here could be a key.
 */
async function readKeyFile(keyFile: string, source: CredentialsSource): Promise<ResolvedCredentials> {
  const fail = (problem: string) =>
    new ConfigError(source.file, [{ path: ['credentials', 'file'], problem: `${keyFile}: ${problem}` }]);
  const read = await readYamlFile(keyFile);
  if (read.kind === 'unreadable') throw fail(read.problem);
  if (read.kind === 'syntax') {
    const at = read.at === undefined ? '' : ` (line ${read.at.line}, column ${read.at.col})`;
    throw fail(`not valid YAML${at}`);
  }
  const parsed = credentialsFileSchema.safeParse(read.value ?? {}, { reportInput: true });
  if (!parsed.success) {
    const problems = issueProblems(parsed.error, () => false);
    const inKeyFile = ({ path, problem }: Problem): Problem => ({
      path: ['credentials', 'file'],
      problem: `${keyFile}: ${path.length === 0 ? '' : `${formatPath(path)}: `}${problem}`,
    });
    throw new ConfigError(source.file, [inKeyFile(problems[0]), ...problems.slice(1).map(inKeyFile)]);
  }
  const keys = pair(parsed.data.publicKey, parsed.data.privateKey, ['publicKey', 'privateKey'], fail);
  if (!keys) throw fail('the file has no publicKey and privateKey');
  const { instancePassword } = parsed.data;
  const credentials = instancePassword === undefined ? keys : { ...keys, instancePassword };
  return { credentials, warnings: await sharedModeWarning(keyFile, source) };
}

/** A key file others can read still works, but the user should know; `chmod 600` is the fix. */
async function sharedModeWarning(keyFile: string, source: CredentialsSource): Promise<string[]> {
  const { mode } = await stat(keyFile);
  if ((mode & SHARED_MODE_BITS) === 0) return [];
  const octal = (mode & 0o777).toString(8).padStart(3, '0');
  return [`${source.file}: credentials.file: ${keyFile} is readable by group or others (mode ${octal}); run chmod 600 ${keyFile}`];
}

/** Both halves, neither, or an error naming the half that is missing. */
function pair(
  publicKey: string | undefined,
  privateKey: string | undefined,
  names: readonly [string, string],
  fail: (problem: string) => Error,
): Credentials | undefined {
  if (publicKey !== undefined && privateKey !== undefined) return { publicKey, privateKey };
  if (publicKey === undefined && privateKey === undefined) return undefined;
  const [set, unset] = publicKey === undefined ? [names[1], names[0]] : names;
  throw fail(`${set} is set but ${unset} is not; set both`);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

/** The login password a provisioner's instances get: its own `password` wins over the key file's `instancePassword`. */
export function instancePasswordFor(
  provisioner: Pick<ProvisionerConfig, 'password'>,
  credentials: Pick<Credentials, 'instancePassword'>,
): string | undefined {
  return provisioner.password ?? credentials.instancePassword;
}
