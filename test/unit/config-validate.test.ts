import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configCommand } from '../../src/cli/commands/config.js';
import { ConfigError } from '../../src/config/errors.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/config/${name}`, import.meta.url));

/** Runs `config validate ARGS` in-process and returns what it printed on stdout. */
async function validate(...args: string[]): Promise<string> {
  return (await validateStreams(...args)).stdout;
}

/** Runs `config validate ARGS` in-process and returns what it printed on stdout and stderr. */
async function validateStreams(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await configCommand().parseAsync(['validate', ...args], { from: 'user' });
    const text = (spy: typeof out) => spy.mock.calls.map(([chunk]) => String(chunk)).join('');
    return { stdout: text(out), stderr: text(err) };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

afterEach(() => {
  vi.unstubAllEnvs();
  process.exitCode = undefined;
});

describe('config validate', () => {
  it('prints OK with the file as given and the number of watches', async () => {
    const file = fixture('one-watch.yaml');
    expect(await validate('--config', file)).toBe(`OK: ${file}: 1 watch\n`);
  });

  it('prints a JSON object with --json', async () => {
    const file = fixture('one-watch.yaml');
    expect(JSON.parse(await validate('--config', file, '--json'))).toEqual({
      ok: true,
      path: file,
      watches: ['4090-wlcb'],
      warnings: [],
    });
  });

  it('accepts config.example.yaml when the key pair is in the environment', async () => {
    vi.stubEnv('COMPSHARE_PUBLIC_KEY', 'p');
    vi.stubEnv('COMPSHARE_PRIVATE_KEY', 's');
    vi.stubEnv('SMTP_PASS', 'smtp-secret');
    vi.stubEnv('GRAB_PASSWORD', 'grab-secret');
    const file = fileURLToPath(new URL('../../config.example.yaml', import.meta.url));
    expect(await validate('-c', file)).toBe(`OK: ${file}: 2 watches\n`);
  });

  it('throws the one-line ConfigError for a bad file (main.ts prints it and exits 2)', async () => {
    const file = fixture('bad-charge-type.yaml');
    const run = validate('--config', file);
    await expect(run).rejects.toBeInstanceOf(ConfigError);
    await expect(run).rejects.toThrow(
      `${file}: watches[0].chargeType: expected one of Month, Day, Dynamic, Postpay, Spot (found "Hourly")`,
    );
  });

  it('prints every problem as JSON with --json and sets exit status 2', async () => {
    const file = fixture('two-problems.yaml');
    const printed = JSON.parse(await validate('--config', file, '--json')) as unknown;
    expect(printed).toEqual({
      ok: false,
      file,
      problems: [
        { path: 'watches[0].schedule', message: 'invalid cron "0 0 30 2 *": never fires (no date matches it)' },
        { path: 'watches[0].chargeType', message: 'expected one of Month, Day, Dynamic, Postpay, Spot (found "Hourly")' },
      ],
    });
    expect(process.exitCode).toBe(2);
  });

  it('gives a YAML syntax error its line and column in JSON', async () => {
    const file = fixture('unquoted-cron.yaml');
    const printed = JSON.parse(await validate('--config', file, '--json')) as { problems: unknown[] };
    expect(printed.problems).toEqual([
      {
        path: '',
        message: expect.stringContaining('must be quoted') as unknown,
        line: 3,
        column: expect.any(Number) as unknown,
      },
    ]);
    expect(process.exitCode).toBe(2);
  });

  it('warns on stderr, without the key, when the key file can be read by others', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'compshare-watch-validate-'));
    try {
      await writeFile(join(dir, 'keys.yaml'), 'publicKey: pub-1\nprivateKey: priv-SECRET-2\n');
      await chmod(join(dir, 'keys.yaml'), 0o640);
      await writeFile(join(dir, 'config.yaml'), 'credentials: { file: keys.yaml }\n');
      const { stdout, stderr } = await validateStreams('--config', join(dir, 'config.yaml'));
      expect(stdout).toBe(`OK: ${join(dir, 'config.yaml')}: 0 watches\n`);
      expect(stderr).toBe(
        `compshare-watch: warning: ${join(dir, 'config.yaml')}: credentials.file: ${join(dir, 'keys.yaml')} is readable ` +
          `by group or others (mode 640); run chmod 600 ${join(dir, 'keys.yaml')}\n`,
      );
      expect(stderr).not.toContain('SECRET');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
