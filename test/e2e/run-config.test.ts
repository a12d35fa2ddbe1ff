import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp-dir.js';

const KEYS = { COMPSHARE_PUBLIC_KEY: 'pub', COMPSHARE_PRIVATE_KEY: 'priv' };
const tempDir = useTempDir();

describe('run with a config that has nothing to do', () => {
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
});
