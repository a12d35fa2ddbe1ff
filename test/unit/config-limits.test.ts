import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfigFile } from '../../src/config/load.js';

const WATCH = `
  - name: w
    schedule: "*/20 * * * * *"
    zone: cn-wlcb-01
    gpuType: "4090"
    imageId: compshareImage-abc
    chargeType: Dynamic
    disks:
      - { isBoot: true, type: CLOUD_SSD, size: 60 }
`;
const EMAIL = 'notifiers:\n  me:\n    type: email\n    smtp: { host: smtp.example.com }\n';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'compshare-watch-limits-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The problems a config file fails with, one line each, as `config validate` prints them. */
async function problems(text: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  await writeFile(join(dir, 'config.yaml'), text);
  const error: unknown = await loadConfigFile({ path: 'config.yaml', cwd: dir, env }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message.split('\n');
}

describe('every number in the config has a bound', () => {
  it.each([
    ['api.timeoutMs', 'api: { timeoutMs: 2147483648 }', 'must be at most 2147483647 (found 2147483648)'],
    ['api.timeoutMs', 'api: { timeoutMs: 1e308 }', 'must be at most 2147483647 (found 1e+308)'],
    ['api.maxRequestsPerSecond', 'api: { maxRequestsPerSecond: 1e-300 }', 'must be at least 0.01 (found 1e-300)'],
    ['api.maxRequestsPerSecond', 'api: { maxRequestsPerSecond: 5000 }', 'must be at most 1000 (found 5000)'],
    ['storage.retentionDays', 'storage: { retentionDays: 1e308 }', 'must be at most 36500 (found 1e+308)'],
    ['delivery.maxAttempts', 'delivery: { maxAttempts: 1000000 }', 'must be at most 1000 (found 1000000)'],
    [
      'delivery.maxAge',
      'delivery: { maxAge: 30d }',
      'must be at most 2147483647ms, about 24.8 days, the longest a timer can wait (found "30d")',
    ],
    ['notifiers.me.timeoutMs', `${EMAIL}    from: a@example.com\n    to: [b@example.com]\n    timeoutMs: 1e10`, 'must be at most 2147483647'],
  ])('%s: %s', async (path, text, bound) => {
    expect(await problems(`${text}\n`)).toEqual([`config.yaml: ${path}: ${bound}`]);
  });

  it.each([
    ['confirmUp: 1e6', 'watches[0].confirmUp: must be at most 1000 (found 1000000)'],
    ['confirmDown: 5000', 'watches[0].confirmDown: must be at most 1000 (found 5000)'],
    ['blindAfter: 100d', 'watches[0].blindAfter: must be at most 2147483647ms, about 24.8 days, the longest a timer can wait (found "100d")'],
    ['jitter: 9999999h', 'watches[0].jitter: must be at most 2147483647ms, about 24.8 days, the longest a timer can wait (found "9999999h")'],
    ['match: { gpu: [1000] }', 'watches[0].match.gpu[0]: must be at most 64 (found 1000)'],
    ['match: { minCpu: 1e9 }', 'watches[0].match.minCpu: must be at most 4096 (found 1000000000)'],
    ['match: { minMemGb: 1e9 }', 'watches[0].match.minMemGb: must be at most 65536 (found 1000000000)'],
  ])('watches[0].%s', async (line, expected) => {
    expect(await problems(`watches:${WATCH}    ${line}\n`)).toEqual([`config.yaml: ${expected}`]);
  });

  it('bounds a disk size', async () => {
    expect(await problems(`watches:${WATCH.replace('size: 60', 'size: 1e12')}`)).toEqual([
      'config.yaml: watches[0].disks[0].size: must be at most 65536 (found 1000000000000)',
    ]);
  });

  it('accepts the bounds themselves', async () => {
    const text = `api: { timeoutMs: 2147483647, maxRequestsPerSecond: 1000 }\nwatches:${WATCH}    blindAfter: 2147483647ms\n`;
    await writeFile(join(dir, 'config.yaml'), text);
    const { config } = await loadConfigFile({ path: 'config.yaml', cwd: dir, env: {} });
    expect(config.watches[0]?.blindAfter).toBe(2 ** 31 - 1);
  });
});

describe('cron patterns', () => {
  const schedule = (pattern: string) => problems(`watches:${WATCH.replace('"*/20 * * * * *"', pattern)}`);

  it.each([
    ['"0 0 30 2 *"', 'invalid cron "0 0 30 2 *": never fires (no date matches it)'],
    ['"0 0 0 31 4 *"', 'invalid cron "0 0 0 31 4 *": never fires (no date matches it)'],
    ['"* * * * * * *"', 'invalid cron "* * * * * * *": has 7 fields; expected 5 (minute hour day month weekday) or 6 (seconds first)'],
    ['"*/5 * * *\\n* *"', 'invalid cron "*/5 * * *\\n* *": must be on one line, fields separated by spaces'],
    ['"*/5 * * * *\\n"', 'invalid cron "*/5 * * * *\\n": must be on one line, fields separated by spaces'],
  ])('rejects %s', async (pattern, expected) => {
    expect(await schedule(pattern)).toEqual([`config.yaml: watches[0].schedule: ${expected}`]);
  });

  it('checks policyReconcile the same way', async () => {
    expect(await problems('policyReconcile: "0 0 30 2 *"\n')).toEqual([
      'config.yaml: policyReconcile: invalid cron "0 0 30 2 *": never fires (no date matches it)',
    ]);
  });

  it('accepts a date that comes only in leap years, and croner nicknames', async () => {
    for (const pattern of ['"0 0 29 2 *"', '"@hourly"']) {
      await writeFile(join(dir, 'config.yaml'), `watches:${WATCH.replace('"*/20 * * * * *"', pattern)}`);
      await expect(loadConfigFile({ path: 'config.yaml', cwd: dir, env: {} })).resolves.toBeDefined();
    }
  });

  it('hints to quote a cron that YAML read as an alias', async () => {
    expect(await schedule('*/10 * * * *')).toEqual([
      'config.yaml:3:20: Unexpected alias at node end (a value starting with "*", such as a cron pattern, must be quoted: "*/10 * * * *")',
    ]);
  });
});

describe('e-mail addresses', () => {
  it.each([
    ['from: not-an-address\n    to: [b@example.com]', 'notifiers.me.from'],
    ['from: a@example.com\n    to: [b@example.com, "b @example.com"]', 'notifiers.me.to[1]'],
    ['from: a@example.com\n    to: ["@example.com"]', 'notifiers.me.to[0]'],
    ['from: "Watch <a@>"\n    to: [b@example.com]', 'notifiers.me.from'],
  ])('rejects %s', async (fields, path) => {
    expect(await problems(`${EMAIL}    ${fields}\n`)).toEqual([
      // Values under notifiers are never echoed: they may be tokens.
      `config.yaml: ${path}: expected an e-mail address like alerts@example.com or "Name <alerts@example.com>" (value not shown)`,
    ]);
  });

  it('accepts a bare address, a display name and a local host', async () => {
    const fields = 'from: "compshare-watch <alerts@example.com>"\n    to: [b@example.com, root@localhost]';
    await writeFile(join(dir, 'config.yaml'), `${EMAIL}    ${fields}\n`);
    await expect(loadConfigFile({ path: 'config.yaml', cwd: dir, env: {} })).resolves.toBeDefined();
  });
});

describe('every problem, one per line', () => {
  it('lists each problem of the file, environment ones included', async () => {
    const text = `api: { region: "\${REGION", timeoutMs: 0 }\nwatches:${WATCH.replace('chargeType: Dynamic', 'chargeType: Hourly')}    confirmUp: 0\n`;
    expect(await problems(text)).toEqual([
      'config.yaml: api.region: unterminated variable reference: "${" without a closing "}"',
      'config.yaml: api.timeoutMs: must be at least 1 (found 0)',
      'config.yaml: watches[0].chargeType: expected one of Month, Day, Dynamic, Postpay, Spot (found "Hourly")',
      'config.yaml: watches[0].confirmUp: must be at least 1 (found 0)',
    ]);
  });
});

describe('a very long value', () => {
  it('is quoted by its start and its length, so the line stays short', async () => {
    const lines = await problems(`timezone: "${'x'.repeat(100_000)}"\n`);
    expect(lines).toEqual([`config.yaml: timezone: unknown timezone "${'x'.repeat(80)}…" (100000 characters) (expected an IANA name such as Asia/Shanghai or UTC)`]);
  });
});

describe('YAML aliases', () => {
  it('refuses more than 100 aliases, naming the line of the first one too many', async () => {
    const lines = Array.from({ length: 101 }, (_, index) => `  - *a # ${index}`);
    expect(await problems(`x: &a 1\nlist:\n${lines.join('\n')}\n`)).toEqual([
      'config.yaml:103:5: more than 100 YAML aliases',
    ]);
  });

  it('refuses aliases that expand too far (a "billion laughs" file), naming a line', async () => {
    const text = 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n';
    const [line, ...rest] = await problems(text);
    expect(rest).toEqual([]);
    expect(line).toMatch(/^config\.yaml:\d+:\d+: Excessive alias count/);
  });
});

describe('a file of 50,000 unknown keys', () => {
  it('is reported in one line that names the first few', async () => {
    const keys = Array.from({ length: 50_000 }, (_, index) => `unknownKey${index}: ${index}`);
    const [line, ...rest] = await problems(`${keys.join('\n')}\n`);
    expect(rest).toEqual([]);
    expect(line).toMatch(/^config\.yaml: unknown keys "unknownKey0", .*"unknownKey9" and 49990 more \(allowed: credentials, /);
  });

  it('still finds a duplicate key among them', async () => {
    const keys = Array.from({ length: 50_000 }, (_, index) => `k${index}: ${index}`);
    expect(await problems(`${keys.join('\n')}\nk7: again\n`)).toEqual(['config.yaml:50001:1: Map keys must be unique']);
  });
});
