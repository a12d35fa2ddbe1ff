import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig, type LoadOptions } from '../../src/config/load.js';
import { API_DEFAULTS, WATCH_DEFAULTS } from '../../src/config/schema.js';

const EXAMPLE = fileURLToPath(new URL('../../config.example.yaml', import.meta.url));
const PUBLIC_KEY = 'pub-4f2a9c';
const PRIVATE_KEY = 'priv-SECRET-7d1e0b33';
const KEYS_ENV = { COMPSHARE_PUBLIC_KEY: PUBLIC_KEY, COMPSHARE_PRIVATE_KEY: PRIVATE_KEY };

const WATCH = `
  - name: 4090-wlcb
    schedule: "*/20 * * * * *"
    zone: cn-wlcb-01
    gpuType: "4090"
    imageId: compshareImage-abc
    chargeType: Dynamic
    disks:
      - { isBoot: true, type: CLOUD_SSD, size: 60 }
`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'compshare-watch-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes config.yaml in the temp dir and loads it the way `--config config.yaml` run from there would. */
async function load(text: string, options: LoadOptions = {}) {
  await writeFile(join(dir, 'config.yaml'), text);
  return loadConfig({ path: 'config.yaml', cwd: dir, env: KEYS_ENV, ...options });
}

/** The ConfigError message a load fails with: one line per problem. */
async function failure(text: string, options: LoadOptions = {}): Promise<string> {
  const error: unknown = await load(text, options).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as ConfigError).message;
  return message;
}

describe('loadConfig: valid files', () => {
  it('fills in every default', async () => {
    const { config, path, displayPath } = await load(`watches:${WATCH}`, { user: { home: '/home/ada', isRoot: false } });
    expect(path).toBe(join(dir, 'config.yaml'));
    expect(displayPath).toBe('config.yaml');
    expect(config.api).toEqual({
      baseUrl: API_DEFAULTS.baseUrl,
      region: API_DEFAULTS.region,
      timeoutMs: API_DEFAULTS.timeoutMs,
      maxRequestsPerSecond: API_DEFAULTS.maxRequestsPerSecond,
    });
    expect(config.storage.path).toBe('/home/ada/.local/state/compshare-watch/history.db');
    expect(config.credentials).toBeUndefined();
    expect(config.watches[0]).toMatchObject({
      machineType: WATCH_DEFAULTS.machineType,
      minimalCpuPlatform: WATCH_DEFAULTS.minimalCpuPlatform,
    });
    expect(config.watches[0]?.match).toBeUndefined();
  });

  it('accepts an empty file: no watches, all defaults', async () => {
    const { config } = await load('# nothing yet\n');
    expect(config.watches).toEqual([]);
  });

  it('accepts config.example.yaml with the key pair and SMTP password in the environment', async () => {
    const { config, credentials } = await loadConfig({ path: EXAMPLE, env: { ...KEYS_ENV, SMTP_PASS: 'smtp-secret', GRAB_PASSWORD: 'grab-secret' } });
    expect(credentials).toEqual({ publicKey: PUBLIC_KEY, privateKey: PRIVATE_KEY });
    expect(config.watches.map((watch) => [watch.name, watch.gpuType])).toEqual([
      ['4090-wlcb', '4090'],
      ['5090-wlcb', '5090'],
    ]);
    expect(config.watches[0]?.match).toEqual({ gpu: [1, 2], minCpu: 16, minMemGb: 64 });
  });

  it('reads gpuType: 4090 (a YAML number) as the string "4090"', async () => {
    const { config } = await load(`watches:${WATCH.replace('gpuType: "4090"', 'gpuType: 4090')}`);
    expect(config.watches[0]?.gpuType).toBe('4090');
  });

  it('fills ${VAR} and ${VAR:-fallback} from the environment, and $${...} stays literal', async () => {
    const { config } = await load(
      'api:\n  baseUrl: ${SIM_URL}\n  region: ${REGION:-cn-bj2}\n  projectId: "$${not-a-var}"\n',
      { env: { ...KEYS_ENV, SIM_URL: 'http://127.0.0.1:4000' } },
    );
    expect(config.api).toMatchObject({ baseUrl: 'http://127.0.0.1:4000', region: 'cn-bj2', projectId: '${not-a-var}' });
  });

  it('interpolates after parsing, so a value cannot change the YAML structure', async () => {
    const { config } = await load('api:\n  projectId: ${PROJECT}\n', {
      env: { ...KEYS_ENV, PROJECT: 'org-1\nregion: evil' },
    });
    expect(config.api.projectId).toBe('org-1\nregion: evil');
    expect(config.api.region).toBe(API_DEFAULTS.region);
  });
});

describe('loadConfig: errors, one line each', () => {
  it.each([
    [
      'chargeType not in the enum',
      WATCH.replace('chargeType: Dynamic', 'chargeType: Hourly'),
      'config.yaml: watches[0].chargeType: expected one of Month, Day, Dynamic, Postpay, Spot (found "Hourly")',
    ],
    [
      'invalid cron',
      WATCH.replace('"*/20 * * * * *"', '"*/70 * * * *"'),
      'config.yaml: watches[0].schedule: invalid cron "*/70 * * * *": Syntax error, steps cannot be greater than maximum value of part (60)',
    ],
    [
      'cron with the wrong number of fields',
      WATCH.replace('"*/20 * * * * *"', 'hourly'),
      'config.yaml: watches[0].schedule: invalid cron "hourly": has 1 fields; expected 5 (minute hour day month weekday) or 6 (seconds first)',
    ],
    [
      'duplicate watch name',
      WATCH + WATCH,
      'config.yaml: watches[1].name: duplicate watch name "4090-wlcb"',
    ],
    [
      'two boot disks',
      WATCH.replace('size: 60 }', 'size: 60 }\n      - { isBoot: true, type: CLOUD_SSD, size: 100 }'),
      'config.yaml: watches[0].disks: exactly one disk must have isBoot: true (found 2)',
    ],
    [
      'no disks',
      WATCH.replace(/disks:[\s\S]*$/, 'disks: []\n'),
      'config.yaml: watches[0].disks: exactly one disk must have isBoot: true (found 0)',
    ],
    [
      'misspelt key (reported before the real key it leaves missing)',
      WATCH.replace('schedule:', 'shedule:'),
      'config.yaml: watches[0]: unknown key "shedule" (did you mean "schedule"?)\n' +
        'config.yaml: watches[0].schedule: missing (expected a string)',
    ],
    [
      'missing required key',
      WATCH.replace('    zone: cn-wlcb-01\n', ''),
      'config.yaml: watches[0].zone: missing (expected a string)',
    ],
    [
      'bad watch name',
      WATCH.replace('name: 4090-wlcb', 'name: my watch'),
      'config.yaml: watches[0].name: may contain only letters, digits, ".", "_" and "-" (found "my watch")',
    ],
    [
      'disk size not a positive integer',
      WATCH.replace('size: 60', 'size: -5'),
      'config.yaml: watches[0].disks[0].size: must be at least 1 (found -5)',
    ],
    [
      'match.gpu with a fraction',
      `${WATCH}    match: { gpu: [1.5] }\n`,
      'config.yaml: watches[0].match.gpu[0]: expected an integer, found 1.5',
    ],
  ])('%s', async (_kind, watch, expected) => {
    expect(await failure(`watches:${watch}`)).toBe(expected);
  });

  it.each([
    ['baseUrl not http(s)', 'api:\n  baseUrl: ftp://example.com\n', 'config.yaml: api.baseUrl: expected an http or https URL (found "ftp://example.com")'],
    ['timeoutMs as a string', 'api:\n  timeoutMs: "10s"\n', 'config.yaml: api.timeoutMs: expected a number, found "10s"'],
    ['a section that is a list', 'api: [1]\n', 'config.yaml: api: expected a mapping, found a list'],
    [
      'two problems, both shown',
      'api:\n  timeoutMs: 0\n  region: ""\n',
      'config.yaml: api.region: must not be empty\nconfig.yaml: api.timeoutMs: must be at least 1 (found 0)',
    ],
  ])('%s', async (_kind, text, expected) => {
    expect(await failure(text)).toBe(expected);
  });

  it('names the allowed keys for an unknown top-level key', async () => {
    const message = await failure('colours: {}\n');
    expect(message).toMatch(/^config\.yaml: unknown key "colours" \(allowed: credentials, api, storage, timezone, watches, .*\)$/);
  });

  it('reports a YAML syntax error as file:line:col with yaml\'s short message', async () => {
    const message = await failure('api:\n  region: cn-wlcb\n  baseUrl: [http://x\nwatches: []\n');
    expect(message).toMatch(/^config\.yaml:4:1: \S/);
    expect(message).toBe('config.yaml:4:1: Flow sequence in block collection must be sufficiently indented and end with a ]');
  });

  it('reports a duplicate key as a YAML error', async () => {
    expect(await failure('api:\n  region: a\n  region: b\n')).toBe('config.yaml:3:3: Map keys must be unique');
  });

  it('reports an alias to an unknown anchor', async () => {
    expect(await failure('api:\n  region: *nowhere\n')).toBe(
      'config.yaml:2:11: Unresolved alias (the anchor must be set before the alias): nowhere' +
        ' (a value starting with "*", such as a cron pattern, must be quoted: "*/10 * * * *")',
    );
  });

  it('rejects a second YAML document', async () => {
    expect(await failure('api: {}\n---\nwatches: []\n')).toBe(
      'config.yaml:2:1: only one YAML document is allowed (found a second "---")',
    );
  });

  it('names an unset environment variable and the path that used it', async () => {
    expect(await failure('api:\n  baseUrl: ${FOO}\n')).toBe(
      'config.yaml: api.baseUrl: environment variable FOO is not set',
    );
  });

  it('names every unset variable', async () => {
    expect(await failure('api:\n  baseUrl: ${FOO}\n  region: ${BAR}\n')).toBe(
      'config.yaml: api.baseUrl: environment variable FOO is not set\n' +
        'config.yaml: api.region: environment variable BAR is not set',
    );
  });

  it('rejects a malformed reference', async () => {
    expect(await failure('api:\n  region: ${1BAD}\n')).toBe(
      'config.yaml: api.region: malformed variable reference; write ${NAME} or ${NAME:-default}',
    );
  });

  it('uses the path as the user gave it', async () => {
    await mkdir(join(dir, 'etc'));
    await writeFile(join(dir, 'etc', 'cw.yaml'), 'api: { region: "" }\n');
    await expect(loadConfig({ path: './etc/cw.yaml', cwd: dir, env: KEYS_ENV })).rejects.toMatchObject({
      message: './etc/cw.yaml: api.region: must not be empty',
    });
  });
});

describe('loadConfig: secrets never appear in messages', () => {
  const cases: Array<[string, string, LoadOptions?]> = [
    ['private key of the wrong type', `credentials:\n  publicKey: ${PUBLIC_KEY}\n  privateKey: [${PRIVATE_KEY}]\n`],
    ['private key beside a file', `credentials:\n  privateKey: ${PRIVATE_KEY}\n  file: keys.yaml\n`],
    ['half a pair in the file', `credentials:\n  privateKey: ${PRIVATE_KEY}\n`],
    ['typo next to the private key', `credentials:\n  publicKey: ${PUBLIC_KEY}\n  privateKey: ${PRIVATE_KEY}\n  fle: x\n`],
    [
      'a secret filled into a checked field',
      `watches:${WATCH.replace('"*/20 * * * * *"', '${SCHEDULE}')}`,
      { env: { ...KEYS_ENV, SCHEDULE: PRIVATE_KEY } },
    ],
    [
      'a secret filled into an enum',
      `watches:${WATCH.replace('chargeType: Dynamic', 'chargeType: ${CHARGE}')}`,
      { env: { ...KEYS_ENV, CHARGE: PRIVATE_KEY } },
    ],
    ['a secret filled into a URL', 'api:\n  baseUrl: ${URL}\n', { env: { ...KEYS_ENV, URL: PRIVATE_KEY } }],
  ];

  it.each(cases)('%s', async (_kind, text, options = {}) => {
    const message = await failure(text, options);
    expect(message).not.toContain(PRIVATE_KEY);
    expect(message).not.toContain('SECRET');
  });

  it('says what is wrong without the value', async () => {
    expect(await failure('api:\n  baseUrl: ${URL}\n', { env: { ...KEYS_ENV, URL: PRIVATE_KEY } })).toBe(
      'config.yaml: api.baseUrl: expected an http or https URL',
    );
    expect(
      await failure(`watches:${WATCH.replace('"*/20 * * * * *"', '${SCHEDULE}')}`, {
        env: { ...KEYS_ENV, SCHEDULE: 'not a cron' },
      }),
    ).toBe(
      'config.yaml: watches[0].schedule: invalid cron (value not shown): has 3 fields; expected 5 (minute hour day month weekday) or 6 (seconds first)',
    );
    expect(await failure(`credentials:\n  publicKey: ${PUBLIC_KEY}\n  privateKey: 42\n`)).toBe(
      'config.yaml: credentials.privateKey: expected a string, found a number',
    );
  });

  it('does not echo a malformed key file', async () => {
    await writeFile(join(dir, 'keys.yaml'), `publicKey: ${PUBLIC_KEY}\nprivateKey: [${PRIVATE_KEY}\n`);
    const message = await failure('credentials:\n  file: keys.yaml\n', { env: {} });
    expect(message).toBe(`config.yaml: credentials.file: ${join(dir, 'keys.yaml')}: not valid YAML (line 3, column 1)`);
  });
});

describe('loadConfig: credentials', () => {
  const NONE =
    'config.yaml: credentials: no key pair; set credentials.publicKey and credentials.privateKey, credentials.file, ' +
    'or the COMPSHARE_PUBLIC_KEY and COMPSHARE_PRIVATE_KEY environment variables';

  it('takes the pair from the config first', async () => {
    const { credentials } = await load('credentials:\n  publicKey: a\n  privateKey: b\n');
    expect(credentials).toEqual({ publicKey: 'a', privateKey: 'b' });
  });

  it('then from credentials.file, which wins over the environment because the config names it', async () => {
    await writeFile(join(dir, 'keys.yaml'), 'publicKey: from-file\nprivateKey: from-file\n', { mode: 0o600 });
    const { credentials, warnings } = await load('credentials:\n  file: keys.yaml\n');
    expect(credentials).toEqual({ publicKey: 'from-file', privateKey: 'from-file' });
    expect(warnings).toEqual([]);
  });

  it('then from the environment', async () => {
    const { credentials } = await load('{}\n');
    expect(credentials).toEqual({ publicKey: PUBLIC_KEY, privateKey: PRIVATE_KEY });
  });

  it('fails on a missing key file even with the pair in the environment, naming the file', async () => {
    expect(await failure('credentials:\n  file: nope.yaml\n')).toBe(
      `config.yaml: credentials.file: ${join(dir, 'nope.yaml')}: file not found`,
    );
  });

  it('fails on a key file it may not read', async () => {
    await writeFile(join(dir, 'keys.yaml'), 'publicKey: p\nprivateKey: s\n', { mode: 0o000 });
    if (process.getuid?.() === 0) return; // root reads any file
    expect(await failure('credentials:\n  file: keys.yaml\n')).toBe(
      `config.yaml: credentials.file: ${join(dir, 'keys.yaml')}: permission denied`,
    );
  });

  it('warns, without any key, when the key file is readable by group or others', async () => {
    await writeFile(join(dir, 'keys.yaml'), `publicKey: ${PUBLIC_KEY}\nprivateKey: ${PRIVATE_KEY}\n`);
    await chmod(join(dir, 'keys.yaml'), 0o644);
    const { credentials, warnings } = await load('credentials:\n  file: keys.yaml\n', { env: {} });
    expect(credentials.privateKey).toBe(PRIVATE_KEY);
    expect(warnings).toEqual([
      `config.yaml: credentials.file: ${join(dir, 'keys.yaml')} is readable by group or others (mode 644); ` +
        `run chmod 600 ${join(dir, 'keys.yaml')}`,
    ]);
  });

  it('then from a YAML or JSON key file next to the config', async () => {
    await mkdir(join(dir, 'conf'));
    await writeFile(join(dir, 'conf', 'keys.json'), JSON.stringify({ publicKey: 'p', privateKey: 's' }));
    await writeFile(join(dir, 'conf', 'config.yaml'), 'credentials:\n  file: keys.json\n');
    const { credentials } = await loadConfig({ path: 'conf/config.yaml', cwd: dir, env: {} });
    expect(credentials).toEqual({ publicKey: 'p', privateKey: 's' });
  });

  it('treats an empty environment variable as unset', async () => {
    expect(await failure('{}\n', { env: { COMPSHARE_PUBLIC_KEY: '', COMPSHARE_PRIVATE_KEY: '' } })).toBe(NONE);
  });

  it.each([
    ['nowhere', '{}\n', {}, NONE],
    ['half a pair in the config', 'credentials:\n  publicKey: a\n', KEYS_ENV, 'config.yaml: credentials: publicKey is set but privateKey is not; set both'],
    [
      'half a pair in the environment',
      '{}\n',
      { COMPSHARE_PRIVATE_KEY: PRIVATE_KEY },
      'config.yaml: credentials: environment variable COMPSHARE_PRIVATE_KEY is set but COMPSHARE_PUBLIC_KEY is not; set both',
    ],
    [
      'a pair and a file',
      'credentials:\n  publicKey: a\n  privateKey: b\n  file: keys.yaml\n',
      {},
      'config.yaml: credentials: set either publicKey and privateKey, or file, not both',
    ],
  ])('fails with %s', async (_kind, text, env, expected) => {
    const message = await failure(text, { env });
    expect(message).toBe(expected);
    expect(message).not.toContain(PRIVATE_KEY);
  });

  it.each([
    ['half a pair', `privateKey: ${PRIVATE_KEY}\n`, 'privateKey is set but publicKey is not; set both'],
    ['a wrong type', `publicKey: p\nprivateKey: 12345\n`, 'privateKey: expected a string, found a number'],
    ['an unknown key', `publicKey: p\nprivatekey: ${PRIVATE_KEY}\n`, 'unknown key "privatekey" (did you mean "privateKey"?)'],
    ['nothing', '', 'the file has no publicKey and privateKey'],
  ])('fails on a key file with %s', async (_kind, keys, expected) => {
    await writeFile(join(dir, 'keys.yaml'), keys);
    const message = await failure('credentials:\n  file: keys.yaml\n', { env: {} });
    expect(message).toBe(`config.yaml: credentials.file: ${join(dir, 'keys.yaml')}: ${expected}`);
    expect(message).not.toContain(PRIVATE_KEY);
  });
});

describe('loadConfig: where the file is looked for', () => {
  it('uses --config when given, even if ./config.yaml exists', async () => {
    await writeFile(join(dir, 'config.yaml'), 'api: { region: local }\n');
    await writeFile(join(dir, 'other.yaml'), 'api: { region: other }\n');
    const loaded = await loadConfig({ path: 'other.yaml', cwd: dir, env: KEYS_ENV });
    expect(loaded.config.api.region).toBe('other');
  });

  it('names a --config file that does not exist', async () => {
    await writeFile(join(dir, 'config.yaml'), '{}\n');
    await expect(loadConfig({ path: 'missing.yaml', cwd: dir, env: KEYS_ENV })).rejects.toMatchObject({
      message: 'missing.yaml: file not found',
    });
  });

  it('finds ./config.yaml in the working directory first', async () => {
    await writeFile(join(dir, 'config.yaml'), 'api: { region: local }\n');
    const loaded = await loadConfig({ cwd: dir, env: KEYS_ENV });
    expect(loaded.displayPath).toBe('./config.yaml');
    expect(loaded.config.api.region).toBe('local');
  });

  it('falls back to the next search path', async () => {
    const system = join(dir, 'etc-config.yaml');
    await writeFile(system, 'api: { region: system }\n');
    const loaded = await loadConfig({ cwd: dir, env: KEYS_ENV, searchPaths: ['./config.yaml', system] });
    expect(loaded.path).toBe(system);
    expect(loaded.config.api.region).toBe('system');
  });

  it('says where it looked when nothing is found', async () => {
    await expect(loadConfig({ cwd: dir, env: KEYS_ENV, user: { home: '/home/ada', isRoot: false } })).rejects.toMatchObject({
      message: 'no config file found (tried ./config.yaml, /home/ada/.config/compshare-watch/config.yaml, /etc/compshare-watch/config.yaml); pass --config FILE',
    });
  });

  it('finds the config in $CONFIGURATION_DIRECTORY and keeps the database in $STATE_DIRECTORY (systemd)', async () => {
    const configuration = join(dir, 'etc');
    await mkdir(configuration);
    await writeFile(join(configuration, 'config.yaml'), `watches:${WATCH}`);
    await writeFile(join(dir, 'config.yaml'), 'api: { region: not-this-one }\n');
    const env = { ...KEYS_ENV, CONFIGURATION_DIRECTORY: configuration, STATE_DIRECTORY: join(dir, 'state') };
    const loaded = await loadConfig({ cwd: dir, env });
    expect(loaded.path).toBe(join(configuration, 'config.yaml'));
    expect(loaded.config.storage.path).toBe(join(dir, 'state', 'history.db'));
  });

  it('takes a storage.path the file gives over the default, from the working directory', async () => {
    const { config } = await load(`storage: { path: ./here.db }\nwatches:${WATCH}`, { env: { ...KEYS_ENV, STATE_DIRECTORY: '/nowhere' } });
    expect(config.storage.path).toBe(join(dir, 'here.db'));
  });
});
