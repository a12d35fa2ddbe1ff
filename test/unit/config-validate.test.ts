import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configCommand } from '../../src/cli/config.js';
import { ConfigError } from '../../src/config/errors.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/config/${name}`, import.meta.url));

/** Runs `config validate ARGS` in-process and returns what it printed. */
async function validate(...args: string[]): Promise<string> {
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await configCommand().parseAsync(['validate', ...args], { from: 'user' });
    return write.mock.calls.map(([chunk]) => String(chunk)).join('');
  } finally {
    write.mockRestore();
  }
}

afterEach(() => {
  vi.unstubAllEnvs();
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
});
