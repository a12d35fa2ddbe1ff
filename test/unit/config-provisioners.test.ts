import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configCommand } from '../../src/cli/commands/config.js';
import { instancePasswordFor } from '../../src/config/credentials.js';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig, type LoadOptions } from '../../src/config/load.js';
import { PROVISIONER_DEFAULTS } from '../../src/config/provisioners.js';
import { useTempDir } from '../helpers/temp-dir.js';

const KEYS_ENV = { COMPSHARE_PUBLIC_KEY: 'pub-1', COMPSHARE_PRIVATE_KEY: 'priv-SECRET-1' };
const PASSWORD = 'Hunter2-very-secret';

type Json = Record<string, unknown>;

const watch = (name: string, chargeType: string, extra: Json = {}): Json => ({
  name,
  schedule: '*/20 * * * * *',
  zone: 'cn-wlcb-01',
  gpuType: '4090',
  imageId: 'compshareImage-abc',
  chargeType,
  disks: [{ isBoot: true, type: 'CLOUD_SSD', size: 60 }],
  ...extra,
});

const GRAB: Json = { candidates: [{ gpu: 1, cpu: 16, memGb: 64 }], maxHourlyPrice: 3, stopPolicy: 'nightly' };

/** A valid config: watch 4090-wlcb (Dynamic) provisions with `grab`; 5090-wlcb (Postpay) does not. */
const WATCHES = [watch('4090-wlcb', 'Dynamic', { provision: 'grab' }), watch('5090-wlcb', 'Postpay')];

function config(grab: Json = {}, watches: Json[] = WATCHES): Json {
  return {
    watches,
    stopPolicies: { nightly: { select: { name: ['grab-*'] }, dailyAt: '23:30' } },
    provisioners: { grab: { ...GRAB, ...grab } },
  };
}

const tempDir = useTempDir();

/** Writes the config (JSON is YAML) as config.yaml in a fresh temp dir and loads it as `--config config.yaml` would. */
async function load(file: Json, options: LoadOptions = {}) {
  const dir = tempDir();
  await writeFile(join(dir, 'config.yaml'), JSON.stringify(file));
  return loadConfig({ path: 'config.yaml', cwd: dir, env: KEYS_ENV, ...options });
}

/** The ConfigError message (one line per problem) a load fails with. */
async function failure(file: Json, options: LoadOptions = {}): Promise<string> {
  const error: unknown = await load(file, options).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

describe('provisioners: defaults and bounds', () => {
  it('refuses a provisioner name that is not plain (it goes into ids, logs and --provisioner NAME)', async () => {
    const file = { ...config({}, [watch('4090-wlcb', 'Dynamic', { provision: 'grab me' })]), provisioners: { 'grab me': GRAB } };
    expect(await failure(file)).toContain('provisioner names may contain only letters, digits, ".", "_" and "-" (found "grab me")');
  });

  it('fills the defaults: dry run, one instance, 1m cooldown, grab- prefix, no prepaid, stop policy required', async () => {
    const { config: loaded } = await load(config());
    expect(loaded.provisioners.grab).toMatchObject({
      dryRun: true,
      maxInstances: 1,
      cooldown: 60_000,
      namePrefix: 'grab-',
      allowPrepaid: false,
      allowNoStopPolicy: false,
    });
    expect(PROVISIONER_DEFAULTS.dryRun).toBe(true);
  });

  it.each<[string, Json, string]>([
    ['maxHourlyPrice 0', { maxHourlyPrice: 0 }, 'provisioners.grab.maxHourlyPrice: must be greater than 0 (found 0)'],
    [
      'maxHourlyPrice 1e9',
      { maxHourlyPrice: 1e9 },
      'provisioners.grab.maxHourlyPrice: must be at most 10000 (found 1000000000)',
    ],
    ['no candidates', { candidates: [] }, 'provisioners.grab.candidates: must have at least 1 item (found 0)'],
    [
      '21 candidates',
      { candidates: Array.from({ length: 21 }, () => ({ gpu: 1, cpu: 16, memGb: 64 })) },
      'provisioners.grab.candidates: must have at most 20 items (found 21)',
    ],
    [
      'a space in namePrefix',
      { namePrefix: 'grab me' },
      'provisioners.grab.namePrefix: must be 1 to 40 letters, digits, ".", "_" or "-"',
    ],
    ['maxInstances 0', { maxInstances: 0 }, 'provisioners.grab.maxInstances: must be at least 1 (found 0)'],
  ])('refuses %s', async (_case, grab, line) => {
    expect(await failure(config(grab))).toBe(`config.yaml: ${line}`);
  });
});

describe('provisioners: config.example.yaml', () => {
  it('ships one active provisioner in dry run, named by a watch, with a stop policy', async () => {
    const path = fileURLToPath(new URL('../../config.example.yaml', import.meta.url));
    const env = { ...KEYS_ENV, SMTP_PASS: 'smtp-secret', GRAB_PASSWORD: PASSWORD };
    const { config: loaded, warnings } = await loadConfig({ path, env });
    expect(Object.keys(loaded.provisioners)).toEqual(['grab-4090']);
    expect(loaded.provisioners['grab-4090']).toMatchObject({
      dryRun: true,
      maxInstances: 1,
      stopPolicy: 'nightly',
      password: PASSWORD,
    });
    expect(loaded.provisioners['grab-4090']?.candidates).toHaveLength(2);
    expect(loaded.watches.find((each) => each.provision === 'grab-4090')?.name).toBe('4090-wlcb');
    expect(warnings).toEqual([]);
  });
});

describe('provisioners: names must point somewhere', () => {
  it.each<[string, Json, string]>([
    [
      'a watch naming an unknown provisioner',
      { ...config(), watches: [watch('4090-wlcb', 'Dynamic', { provision: 'grabb' })] },
      'watches[0].provision: unknown provisioner "grabb" (expected one of grab)',
    ],
    [
      'a watch naming a provisioner when there are none',
      { watches: [watch('4090-wlcb', 'Dynamic', { provision: 'grab' })] },
      'watches[0].provision: unknown provisioner "grab" (expected a name under provisioners:, which is empty)',
    ],
    [
      'a candidate naming an unknown watch',
      config({ candidates: [{ gpu: 1, cpu: 16, memGb: 64 }, { gpu: 2, cpu: 32, memGb: 128, watch: '3090' }] }),
      'provisioners.grab.candidates[1].watch: unknown watch "3090" (expected one of 4090-wlcb, 5090-wlcb)',
    ],
    [
      'an unknown stop policy',
      config({ stopPolicy: 'nightlly' }),
      'provisioners.grab.stopPolicy: unknown stop policy "nightlly" (expected one of nightly)',
    ],
    [
      'no stop policy',
      config({ stopPolicy: undefined }),
      'provisioners.grab.stopPolicy: missing: an instance without a stop bills until someone stops it; ' +
        'name a policy under stopPolicies: or set allowNoStopPolicy: true',
    ],
  ])('refuses %s', async (_case, file, line) => {
    expect(await failure(file)).toBe(`config.yaml: ${line}`);
  });

  it('accepts a candidate taking its row from another watch', async () => {
    const candidates = [{ gpu: 1, cpu: 16, memGb: 64 }, { gpu: 1, cpu: 16, memGb: 64, watch: '5090-wlcb' }];
    const { config: loaded } = await load(config({ candidates }));
    expect(loaded.provisioners.grab?.candidates[1]?.watch).toBe('5090-wlcb');
  });

  it('accepts no stop policy with allowNoStopPolicy: true', async () => {
    const { config: loaded } = await load(config({ stopPolicy: undefined, allowNoStopPolicy: true }));
    expect(loaded.provisioners.grab?.stopPolicy).toBeUndefined();
  });
});

describe('provisioners: candidates the watch tracks', () => {
  it('refuses a candidate row the watch match leaves out: it could never flip, so never be created', async () => {
    const watches = [watch('4090-wlcb', 'Dynamic', { provision: 'grab', match: { gpu: [2] } })];
    expect(await failure(config({}, watches))).toContain(
      'provisioners.grab.candidates[0]: watch "4090-wlcb" does not track 1/16/64 (its match leaves it out), so this candidate can never be created',
    );
  });

  it('accepts a candidate the watch match includes', async () => {
    const watches = [watch('4090-wlcb', 'Dynamic', { provision: 'grab', match: { gpu: [1, 2], minMemGb: 64 } })];
    await expect(load(config({}, watches))).resolves.toBeDefined();
  });
});

describe('provisioners: money rules on the charge type it creates with', () => {
  it.each(['Day', 'Month', 'Year'])('refuses its own chargeType %s without allowPrepaid', async (chargeType) => {
    expect(await failure(config({ chargeType }))).toBe(
      `config.yaml: provisioners.grab.allowPrepaid: chargeType ${chargeType} bills a whole term up front; ` +
        'set allowPrepaid: true and maxOrderPrice (CNY, the most one order may cost) to allow it',
    );
  });

  it('refuses a prepaid chargeType inherited from the watch that names it, naming that watch', async () => {
    const watches = [watch('4090-wlcb', 'Month', { provision: 'grab' })];
    expect(await failure(config({}, watches))).toBe(
      'config.yaml: provisioners.grab.allowPrepaid: chargeType Month (from watch "4090-wlcb") bills a whole term up ' +
        'front; set allowPrepaid: true and maxOrderPrice (CNY, the most one order may cost) to allow it',
    );
  });

  it('refuses a prepaid chargeType inherited from a watch a candidate names', async () => {
    const watches = [watch('4090-wlcb', 'Dynamic', { provision: 'grab' }), watch('day-watch', 'Day')];
    const candidates = [{ gpu: 1, cpu: 16, memGb: 64, watch: 'day-watch' }];
    expect(await failure(config({ candidates }, watches))).toBe(
      'config.yaml: provisioners.grab.allowPrepaid: chargeType Day (from watch "day-watch") bills a whole term up ' +
        'front; set allowPrepaid: true and maxOrderPrice (CNY, the most one order may cost) to allow it',
    );
  });

  it('refuses allowPrepaid without maxOrderPrice', async () => {
    expect(await failure(config({ chargeType: 'Month', allowPrepaid: true }))).toBe(
      'config.yaml: provisioners.grab.maxOrderPrice: missing: chargeType Month bills a whole term up front, so the ' +
        'most one order may cost (CNY) is required',
    );
  });

  it('accepts a prepaid chargeType with allowPrepaid and maxOrderPrice', async () => {
    const { config: loaded } = await load(config({ chargeType: 'Year', allowPrepaid: true, maxOrderPrice: 20_000 }));
    expect(loaded.provisioners.grab).toMatchObject({ chargeType: 'Year', allowPrepaid: true, maxOrderPrice: 20_000 });
  });

  it('refuses maxOrderPrice when nothing it creates is prepaid', async () => {
    expect(await failure(config({ maxOrderPrice: 500 }))).toBe(
      'config.yaml: provisioners.grab.maxOrderPrice: applies only to Day, Month or Year (this provisioner creates ' +
        'with chargeType Dynamic (from watch "4090-wlcb"))',
    );
  });

  it('refuses Spot without allowNoStopPolicy, and only says that (a stop policy cannot fix it)', async () => {
    expect(await failure(config({ chargeType: 'Spot', stopPolicy: undefined }))).toBe(
      'config.yaml: provisioners.grab.allowNoStopPolicy: chargeType Spot cannot take a stop schedule, so its ' +
        'instance bills until someone stops it; set allowNoStopPolicy: true to accept that',
    );
  });

  it('refuses Spot inherited from a watch without allowNoStopPolicy', async () => {
    const watches = [watch('spot-watch', 'Spot', { provision: 'grab' })];
    expect(await failure(config({}, watches))).toBe(
      'config.yaml: provisioners.grab.allowNoStopPolicy: chargeType Spot (from watch "spot-watch") cannot take a ' +
        'stop schedule, so its instance bills until someone stops it; set allowNoStopPolicy: true to accept that',
    );
  });

  it('accepts Spot with allowNoStopPolicy: true', async () => {
    const spot = { chargeType: 'Spot', stopPolicy: undefined, allowNoStopPolicy: true };
    const { config: loaded } = await load(config(spot));
    expect(loaded.provisioners.grab?.chargeType).toBe('Spot');
  });

  it('accepts watches that disagree on a postpaid charge type when the provisioner sets none', async () => {
    const watches = [watch('a', 'Dynamic', { provision: 'grab' }), watch('b', 'Postpay', { provision: 'grab' })];
    const { config: loaded } = await load(config({}, watches));
    expect(loaded.watches.map((each) => each.provision)).toEqual(['grab', 'grab']);
  });

  it('checks the provisioner chargeType over the watch: its own Dynamic makes a Month watch fine', async () => {
    const watches = [watch('4090-wlcb', 'Month', { provision: 'grab' })];
    const { config: loaded } = await load(config({ chargeType: 'Dynamic' }, watches));
    expect(loaded.provisioners.grab?.chargeType).toBe('Dynamic');
  });
});

describe('provisioners: a provisioner no watch triggers', () => {
  it('is valid but warned about', async () => {
    const { warnings } = await load(config({}, [watch('4090-wlcb', 'Dynamic')]));
    expect(warnings).toEqual([
      'config.yaml: provisioners.grab: no watch names it with provision: grab, so nothing triggers it ' +
        '(provision test --provisioner grab can still try it)',
    ]);
  });

  it('is not warned about when a watch names it', async () => {
    expect((await load(config())).warnings).toEqual([]);
  });

  it('is said by config validate on stderr', async () => {
    const dir = tempDir();
    const file = join(dir, 'config.yaml');
    await writeFile(file, JSON.stringify(config({}, [watch('4090-wlcb', 'Dynamic')])));
    for (const [name, value] of Object.entries(KEYS_ENV)) vi.stubEnv(name, value);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await configCommand().parseAsync(['validate', '--config', file], { from: 'user' });
      expect(err.mock.calls.map(([chunk]) => String(chunk)).join('')).toContain(
        `compshare-watch: warning: ${file}: provisioners.grab: no watch names it with provision: grab`,
      );
    } finally {
      err.mockRestore();
      out.mockRestore();
      vi.unstubAllEnvs();
    }
  });
});

describe('provisioners: the instance password', () => {
  afterEach(() => vi.unstubAllEnvs());

  it.each<[string, unknown, string]>([
    ['too long', PASSWORD.repeat(10), 'must be at most 128 characters long'],
    ['not a string', 31415926, 'expected a string, found a number'],
  ])('never echoes a bad password (%s)', async (_case, password, problem) => {
    const message = await failure(config({ password }));
    expect(message).toBe(`config.yaml: provisioners.grab.password: ${problem}`);
  });

  it('never echoes a bad password filled in from the environment', async () => {
    const message = await failure(config({ password: '${GRAB_PASSWORD}' }), {
      env: { ...KEYS_ENV, GRAB_PASSWORD: PASSWORD.repeat(10) },
    });
    expect(message).not.toContain(PASSWORD);
  });

  /** Writes a key file (chmod 600) next to a config that points to it. */
  async function withKeyFile(keys: Json, grab: Json = {}) {
    const dir = tempDir();
    await writeFile(join(dir, 'keys.yaml'), JSON.stringify(keys));
    await chmod(join(dir, 'keys.yaml'), 0o600);
    await writeFile(join(dir, 'config.yaml'), JSON.stringify({ ...config(grab), credentials: { file: 'keys.yaml' } }));
    return loadConfig({ path: 'config.yaml', cwd: dir, env: {} });
  }

  it('takes instancePassword from the credentials file when the provisioner sets no password', async () => {
    const keys = { publicKey: 'p', privateKey: 's', instancePassword: PASSWORD };
    const { config: loaded, credentials, warnings } = await withKeyFile(keys);
    expect(credentials.instancePassword).toBe(PASSWORD);
    expect(instancePasswordFor(loaded.provisioners.grab!, credentials)).toBe(PASSWORD);
    expect(warnings.join('\n')).not.toContain(PASSWORD);
  });

  it("lets the provisioner's own password win over the credentials file", async () => {
    const keys = { publicKey: 'p', privateKey: 's', instancePassword: PASSWORD };
    const { config: loaded, credentials } = await withKeyFile(keys, { password: 'own-password' });
    expect(instancePasswordFor(loaded.provisioners.grab!, credentials)).toBe('own-password');
  });

  it('has no password when neither sets one', async () => {
    const { config: loaded, credentials } = await withKeyFile({ publicKey: 'p', privateKey: 's' });
    expect(credentials.instancePassword).toBeUndefined();
    expect(instancePasswordFor(loaded.provisioners.grab!, credentials)).toBeUndefined();
  });

  it('never echoes a bad instancePassword from the credentials file', async () => {
    const run = withKeyFile({ publicKey: 'p', privateKey: 's', instancePassword: PASSWORD.repeat(10) });
    const error: unknown = await run.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('credentials.file: ');
    expect(message).toContain('instancePassword: must be at most 128 characters long');
    expect(message).not.toContain(PASSWORD);
  });
});
