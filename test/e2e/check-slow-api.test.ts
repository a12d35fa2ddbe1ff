import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { runCli, writeSimConfig } from '../helpers/cli.js';
import { startTestSim, SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, type TestSim } from '../helpers/sim.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const keys = { COMPSHARE_PUBLIC_KEY: SIM_PUBLIC_KEY, COMPSHARE_PRIVATE_KEY: SIM_PRIVATE_KEY };
let sim: TestSim;

beforeEach(async () => {
  sim = await startTestSim();
});
afterEach(() => sim.close());

describe('compshare-watch check against a hanging API', () => {
  it('says on stderr which attempt is waiting, and keeps --json stdout clean', async () => {
    // Just past the 2 s after which a waiting attempt is reported, so the hang costs little real time.
    const config = writeSimConfig(tempDir(), sim.url);
    writeFileSync(config, readFileSync(config, 'utf8').replace('timeoutMs: 2000', 'timeoutMs: 2100'));
    await sim.addFault({ kind: 'hang', action: 'CheckCompShareResourceCapacity', count: 1 });
    const result = await runCli(['check', '--config', config, '--json'], { env: keys });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('compshare-watch: waiting for CheckCompShareResourceCapacity (attempt 1 of 4, timeout 2s)...\n');
    expect(Array.isArray(JSON.parse(result.stdout))).toBe(true);
  });
});
