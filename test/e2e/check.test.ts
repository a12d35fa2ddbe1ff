import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, writeSimConfig } from '../helpers/cli.js';
import { put4090Rows, startTestSim, SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, SIM_ZONE, type TestSim } from '../helpers/sim.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const keys = { COMPSHARE_PUBLIC_KEY: SIM_PUBLIC_KEY, COMPSHARE_PRIVATE_KEY: SIM_PRIVATE_KEY };
let sim: TestSim;
let dir: string;
let config: string;

beforeEach(async () => {
  sim = await startTestSim();
  await put4090Rows(sim, [
    [1, 16, 64, true],
    [2, 32, 128, false],
    [4, 64, 256, true],
  ]);
  dir = tempDir();
  config = writeSimConfig(dir, sim.url);
});
afterEach(() => sim.close());

describe('compshare-watch check', () => {
  it('prints a table with availability and the rows the watch matches', async () => {
    const result = await runCli(['check', '--config', config], { env: keys });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^WATCH\s+ZONE\s+GPU TYPE\s+GPU\s+CPU\s+MEM GB\s+AVAILABLE\s+MATCH$/);
    expect(lines[1]).toMatch(/^w4090\s+cn-wlcb-01\s+4090\s+1\s+16\s+64\s+yes\s+\*$/);
    expect(lines[2]).toMatch(/^w4090\s+cn-wlcb-01\s+4090\s+2\s+32\s+128\s+no\s+\*$/);
    expect(lines[3]).toMatch(/^w4090\s+cn-wlcb-01\s+4090\s+4\s+64\s+256\s+yes$/);
  });

  it('warns on stderr about a key file others can read, and still polls', async () => {
    writeFileSync(join(dir, 'keys.yaml'), `publicKey: ${SIM_PUBLIC_KEY}\nprivateKey: ${SIM_PRIVATE_KEY}\n`);
    chmodSync(join(dir, 'keys.yaml'), 0o644);
    writeSimConfig(dir, sim.url, 'credentials: { file: keys.yaml }\n');
    const result = await runCli(['check', '--config', config, '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^compshare-watch: warning: .*credentials\.file: .*keys\.yaml is readable by group or others \(mode 644\); run chmod 600 \S*keys\.yaml\n$/);
    expect(result.stderr).not.toContain(SIM_PRIVATE_KEY);
    expect(JSON.parse(result.stdout)).toHaveLength(3);
  });

  it('prints JSON with --json', async () => {
    const result = await runCli(['check', '--config', config, '--json'], { env: keys });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      { watch: 'w4090', zone: SIM_ZONE, gpuType: '4090', gpu: 1, cpu: 16, mem: 64, resourceEnough: true, matches: true },
      { watch: 'w4090', zone: SIM_ZONE, gpuType: '4090', gpu: 2, cpu: 32, mem: 128, resourceEnough: false, matches: true },
      { watch: 'w4090', zone: SIM_ZONE, gpuType: '4090', gpu: 4, cpu: 64, mem: 256, resourceEnough: true, matches: false },
    ]);
  });

  it('exits 1 with one line naming the action, RetCode and request when the key pair is wrong', async () => {
    const result = await runCli(['check', '--config', config], { env: { ...keys, COMPSHARE_PRIVATE_KEY: 'wrong-secret' } });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/CheckCompShareResourceCapacity failed: RetCode 171: .*check the key pair.*\(request [0-9a-f-]{36}\)/);
    expect(result.stderr).not.toContain('wrong-secret');
    // Only the error: no empty table, no "no rows returned".
    expect(result.stdout).toBe('');
  });

  it('exits 2 with one line naming the field of a broken config', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'watches:\n  - name: x\n    schedule: "* * * * *"\n    zone: z\n    gpuType: "4090"\n    imageId: i\n    chargeType: Hourly\n    disks: [{ isBoot: true, type: CLOUD_SSD, size: 60 }]\n');
    const result = await runCli(['check', '--config', broken], { env: keys });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `compshare-watch: ${broken}: watches[0].chargeType: expected one of Month, Day, Dynamic, Postpay, Spot (found "Hourly")`,
    );
  });

  it('exits 2 for an unknown --watch, listing the configured ones', async () => {
    const result = await runCli(['check', '--config', config, '--watch', 'nope'], { env: keys });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('compshare-watch: unknown watch "nope" (configured: w4090)');
  });

  it('exits 2 for an unknown flag without a stack trace', async () => {
    const result = await runCli(['check', '--colour'], { env: keys });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown option '--colour'/);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
