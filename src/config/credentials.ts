import { dirname, resolve } from 'node:path';
import { configError } from './message.js';
import { issueProblems } from './format-error.js';
import { credentialsFileSchema, type Config } from './schema.js';
import { readYamlFile } from './yaml-file.js';

/** The Compshare API key pair. */
export interface Credentials {
  publicKey: string;
  privateKey: string;
}

export const PUBLIC_KEY_ENV = 'COMPSHARE_PUBLIC_KEY';
export const PRIVATE_KEY_ENV = 'COMPSHARE_PRIVATE_KEY';

/** Where the key pair is being taken from, for messages: the config file as shown to the user, and its location. */
export interface CredentialsSource {
  file: string;
  absolutePath: string;
}

/**
 * The key pair, from the first place that has one: `credentials.publicKey/privateKey`, then the
 * COMPSHARE_PUBLIC_KEY / COMPSHARE_PRIVATE_KEY environment variables, then `credentials.file`. Half a pair in any
 * of them is an error rather than a reason to look further, since it is almost always a mistake.
 */
export async function resolveCredentials(
  section: Config['credentials'],
  env: NodeJS.ProcessEnv,
  source: CredentialsSource,
): Promise<Credentials> {
  const fail = (path: readonly PropertyKey[], problem: string) => configError(source.file, [{ path, problem }]);
  const fromConfig = pair(section?.publicKey, section?.privateKey, ['publicKey', 'privateKey'], (problem) =>
    fail(['credentials'], problem),
  );
  if (fromConfig) return fromConfig;
  const fromEnv = pair(
    nonEmpty(env[PUBLIC_KEY_ENV]),
    nonEmpty(env[PRIVATE_KEY_ENV]),
    [PUBLIC_KEY_ENV, PRIVATE_KEY_ENV],
    (problem) => fail(['credentials'], `environment variable ${problem}`),
  );
  if (fromEnv) return fromEnv;
  if (section?.file !== undefined) return readKeyFile(resolve(dirname(source.absolutePath), section.file), source);
  throw fail(
    ['credentials'],
    `no key pair; set credentials.publicKey and credentials.privateKey, the ${PUBLIC_KEY_ENV} and ${PRIVATE_KEY_ENV} ` +
      'environment variables, or credentials.file',
  );
}

/** Messages about the key file never name it: its path sits under `credentials`, whose values are not shown. */
async function readKeyFile(keyFile: string, source: CredentialsSource): Promise<Credentials> {
  const where = `${source.file}: credentials.file`;
  const fail = (problem: string) => configError(where, [{ path: [], problem }]);
  const read = await readYamlFile(keyFile);
  if (read.kind === 'unreadable') throw fail(read.problem);
  // yaml's own wording may quote the offending text, which here could be a key.
  if (read.kind === 'syntax') {
    const at = read.at === undefined ? '' : ` (line ${read.at.line}, column ${read.at.col})`;
    throw fail(`not valid YAML${at}`);
  }
  const parsed = credentialsFileSchema.safeParse(read.value ?? {}, { reportInput: true });
  if (!parsed.success) throw configError(where, issueProblems(parsed.error, () => false));
  const keys = pair(parsed.data.publicKey, parsed.data.privateKey, ['publicKey', 'privateKey'], fail);
  if (!keys) throw fail('the file has no publicKey and privateKey');
  return keys;
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
