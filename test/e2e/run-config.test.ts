import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, TEST_HTTP } from '../helpers/cli.js';
import { startDaemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { useTempDir } from '../helpers/temp-dir.js';

const KEYS = { COMPSHARE_PUBLIC_KEY: 'pub', COMPSHARE_PRIVATE_KEY: 'priv' };
const tempDir = useTempDir();

describe('run and its config', () => {
  it('refuses an empty file with one line and exit status 2', async () => {
    const dir = tempDir();
    const path = join(dir, 'config.yaml');
    writeFileSync(path, '# to be filled in\n');
    const result = await runCli(['run', '--config', path], { env: KEYS, cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `compshare-watch: ${path}: nothing to run: no watches and no stopPolicies (see config.example.yaml)\n`,
    );
  });

  it('warns on stderr, without the key, about a key file others can read, and runs', async () => {
    const dir = tempDir();
    const keys = join(dir, 'keys.yaml');
    writeFileSync(keys, 'publicKey: pub-1\nprivateKey: priv-SECRET-2\n');
    chmodSync(keys, 0o644);
    const path = join(dir, 'config.yaml');
    // Nothing listens on port 1: the daemon's polls fail, which does not matter here.
    writeFileSync(
      path,
      `credentials: { file: keys.yaml }\napi: { baseUrl: "http://127.0.0.1:1" }\nstorage: { path: ${join(dir, 'h.db')} }\n${TEST_HTTP}` +
        'stopPolicies:\n  p: { select: { tag: [x] }, maxRuntimeHours: 8 }\n',
    );
    const daemon = startDaemon(path, {});
    try {
      const stderr = await waitFor(daemon.stderr, (text) => text.includes('warning'), 'the key file warning');
      expect(stderr).toContain(`compshare-watch: warning: ${path}: credentials.file: ${keys} is readable by group or others (mode 644)`);
      expect(stderr).not.toContain('SECRET');
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
  });
});
