import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, TEST_HTTP } from '../helpers/cli.js';
import { startDaemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { useTempDir } from '../helpers/temp-dir.js';

const KEYS = { COMPSHARE_PUBLIC_KEY: 'pub', COMPSHARE_PRIVATE_KEY: 'priv' };
const tempDir = useTempDir();
const WARNING =
  'compshare-watch: warning: the watches need 6.0 requests/s (12 watches in 6 request shapes, every 1s) but ' +
  'api.maxRequestsPerSecond is 5: polls will be late or dropped; raise it or slow the schedules\n';

/** 12 watches every second, two per request shape (they differ only in `match`), so 6 calls a second. */
function writeConfig(rate: number): string {
  const dir = tempDir();
  const watches = Array.from(
    { length: 12 },
    (_, index) => `  - name: w${index}
    schedule: "* * * * * *"
    zone: cn-wlcb-01
    gpuType: "4090"
    imageId: image-${Math.floor(index / 2)}
    chargeType: Dynamic
    disks: [{ isBoot: true, type: CLOUD_SSD, size: 60 }]
    match: { gpu: [${(index % 2) + 1}] }
`,
  );
  const path = join(dir, 'config.yaml');
  // Nothing listens on port 1: the daemon's polls fail, which does not matter here.
  writeFileSync(
    path,
    `api: { baseUrl: "http://127.0.0.1:1", maxRequestsPerSecond: ${rate} }\nstorage: { path: ${join(dir, 'h.db')} }\n${TEST_HTTP}watches:\n${watches.join('')}`,
  );
  return path;
}

describe('the rate budget', () => {
  it('config validate warns with the numbers when api.maxRequestsPerSecond cannot serve the watches', async () => {
    const path = writeConfig(5);
    const result = await runCli(['config', 'validate', '--config', path], { env: KEYS });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(WARNING);
    const json = await runCli(['config', 'validate', '--config', path, '--json'], { env: KEYS });
    expect(JSON.parse(json.stdout).warnings).toEqual([WARNING.replace('compshare-watch: warning: ', '').trim()]);
  });

  it('config validate says nothing when the rate serves them', async () => {
    const result = await runCli(['config', 'validate', '--config', writeConfig(6)], { env: KEYS });
    expect(result).toMatchObject({ code: 0, stderr: '' });
  });

  it('run warns the same way, and logs the demand at start', async () => {
    const daemon = startDaemon(writeConfig(5), KEYS);
    try {
      const stderr = await waitFor(daemon.stderr, (text) => text.includes('compshare-watch running'), 'the start');
      expect(stderr.startsWith(WARNING)).toBe(true);
      const running = JSON.parse(stderr.split('\n').find((line) => line.includes('compshare-watch running'))!);
      expect(running).toMatchObject({ demand: { requestsPerSecond: 6, sharedPolls: 6, shapes: 6 }, maxRequestsPerSecond: 5 });
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
  });
});
