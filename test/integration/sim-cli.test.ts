import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { simCommand } from '../../src/cli/commands/sim.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/** Runs `sim` in-process; resolves with the running command and the first stdout line once it is printed. */
async function runSim(args: string[]): Promise<{ url: string; done: Promise<unknown> }> {
  const written: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  const done = simCommand().exitOverride().parseAsync(args, { from: 'user' });
  // A failed start rejects `done`, which ends the wait with that error.
  await Promise.race([done, waitFor(() => written.length, (lines) => lines > 0, 'the base URL on stdout')]);
  return { url: (written[0] ?? '').trim(), done };
}

describe('compshare-watch sim', () => {
  const tempDir = useTempDir();
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('prints the base URL first, serves, and closes cleanly on SIGTERM', async () => {
    // The test runner has its own SIGTERM handlers; keep them out of the way while the signal is simulated.
    const runnerHandlers = process.rawListeners('SIGTERM');
    process.removeAllListeners('SIGTERM');
    try {
      vi.stubEnv('COMPSHARE_PUBLIC_KEY', 'env-public');
      vi.stubEnv('COMPSHARE_PRIVATE_KEY', 'env-private');
      const { url, done } = await runSim(['--seed', '7']);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const state = await fetch(`${url}/__sim/state`);
      expect(state.status).toBe(200);
      process.emit('SIGTERM');
      await done;
      await expect(fetch(`${url}/__sim/state`)).rejects.toThrow();
    } finally {
      for (const handler of runnerHandlers) process.on('SIGTERM', handler as () => void);
    }
  });

  it.each([
    [['--port', 'abc'], /^--port: expected an integer from 0 to 65535, got "abc"$/],
    [['--port', '70000'], /^--port: /],
    [['--seed', '-1'], /^--seed: /],
  ])('refuses %j with a UsageError', async (args, message) => {
    const keys = ['--public-key', 'p', '--private-key', 's'];
    const run = simCommand().exitOverride().parseAsync([...keys, ...args], { from: 'user' });
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(message);
  });

  it('requires both keys, from flags or the environment', async () => {
    vi.stubEnv('COMPSHARE_PUBLIC_KEY', '');
    vi.stubEnv('COMPSHARE_PRIVATE_KEY', '');
    await expect(simCommand().exitOverride().parseAsync(['--private-key', 's'], { from: 'user' })).rejects.toThrow(
      /--public-key is required \(or set COMPSHARE_PUBLIC_KEY\)/,
    );
  });

  it('refuses an unreadable or invalid scenario, naming the file and the field', async () => {
    const keys = ['--public-key', 'p', '--private-key', 's'];
    const missing = join(tempDir(), 'nope.yaml');
    const unreadable = simCommand().exitOverride().parseAsync([...keys, '--scenario', missing], { from: 'user' });
    await expect(unreadable).rejects.toThrow(UsageError);
    await expect(unreadable).rejects.toThrow(`scenario ${missing}: cannot read: ENOENT`);
    const invalid = join(tempDir(), 'bad.yaml');
    writeFileSync(invalid, 'zones: [cn-wlcb-01]\ninstances:\n  - { name: a, gpuType: "4090", chargeType: Hourly }\n');
    const run = simCommand().exitOverride().parseAsync([...keys, '--scenario', invalid], { from: 'user' });
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(/instances\[0\]\.chargeType: /);
  });
});
