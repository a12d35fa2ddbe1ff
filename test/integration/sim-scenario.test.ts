import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WALK_STEP_SECONDS } from '../../src/sim/random-walk.js';
import { ScenarioError, defaultScenario, loadScenarioFile, parseScenario } from '../../src/sim/scenario.js';
import { CHECK_4090_PARAMS, SIM_ZONE, startTestSim, type TestSim } from '../helpers/sim.js';
import { useTempDir } from '../helpers/temp-dir.js';

const T0_MS = Date.UTC(2026, 0, 15, 8, 0, 0);

const CHECK = CHECK_4090_PARAMS;

/** The Specs rows of a signed Check, as `gpu:enough` strings. */
async function specs(sim: TestSim, gpuType = '4090'): Promise<string[]> {
  const reply = await sim.call('CheckCompShareResourceCapacity', { ...CHECK, GpuType: gpuType });
  return (reply.body?.Specs as Array<{ Gpu: number; ResourceEnough: boolean }>).map(
    (row) => `${row.Gpu}:${row.ResourceEnough}`,
  );
}

/** Every capacity row of the simulator, flattened for comparison. */
async function capacity(sim: TestSim): Promise<string> {
  const { body } = await sim.control('GET', 'state');
  return JSON.stringify(body.capacity);
}

describe('scenario files', () => {
  const tempDir = useTempDir();

  it('defaults to cn-wlcb / cn-wlcb-01 with 4090, 5090 and A100 and no instances', () => {
    const scenario = defaultScenario();
    expect(scenario.region).toBe('cn-wlcb');
    expect(scenario.zones).toEqual(['cn-wlcb-01']);
    expect(scenario.capacity.map((entry) => entry.gpuType)).toEqual(['4090', '5090', 'A100']);
    expect(scenario.capacity[0]?.rows.slice(0, 3)).toEqual([
      { gpu: 1, cpu: 16, mem: 64, enough: true },
      { gpu: 2, cpu: 32, mem: 128, enough: true },
      { gpu: 4, cpu: 64, mem: 256, enough: true },
    ]);
    expect(scenario.instances).toEqual([]);
  });

  it('loads YAML (an unquoted 4090 is the GPU type "4090") and JSON', async () => {
    const dir = tempDir();
    const yamlPath = join(dir, 'scenario.yaml');
    writeFileSync(
      yamlPath,
      [
        'region: cn-sh2',
        'zones: [cn-sh2-02]',
        'capacity:',
        '  - { zone: cn-sh2-02, gpuType: 4090, rows: [{ gpu: 1, cpu: 16, mem: 64, enough: false }] }',
        'instances:',
        '  - { name: train, tag: training, gpuType: 4090, state: Stopped, chargeType: Month, startAt: -3600 }',
      ].join('\n'),
    );
    const scenario = await loadScenarioFile(yamlPath);
    expect(scenario.capacity[0]?.gpuType).toBe('4090');
    expect(scenario.instances[0]).toMatchObject({ name: 'train', state: 'Stopped', startAt: -3600, mem: 64 });
    const jsonPath = join(dir, 'scenario.json');
    writeFileSync(jsonPath, JSON.stringify({ region: 'cn-sh2', zones: ['cn-sh2-02'] }));
    expect((await loadScenarioFile(jsonPath)).capacity[0]?.zone).toBe('cn-sh2-02');
  });

  it('names the field and the file in one line when a value is invalid', async () => {
    const path = join(tempDir(), 'bad.yaml');
    const row = '{ gpu: one, cpu: 16, mem: 64, enough: true }';
    writeFileSync(path, `capacity:\n  - { zone: cn-wlcb-01, gpuType: "4090", rows: [${row}] }\n`);
    const error = await loadScenarioFile(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as Error).message).toMatch(new RegExp(`^scenario ${path}: capacity\\[0\\]\\.rows\\[0\\]\\.gpu: `));
    expect((error as Error).message).not.toContain('\n');
  });

  it('rejects unknown keys, references to undeclared zones and timeline rows that match nothing', () => {
    expect(() => parseScenario({ regoin: 'x' }, 's')).toThrow(/regoin/);
    expect(() => parseScenario({ instances: [{ name: 'a', gpuType: '4090', zone: 'cn-x' }] }, 's')).toThrow(
      /instances\[0\]\.zone: zone "cn-x" is not in zones/,
    );
    const timeline = {
      capacity: [
        {
          zone: 'cn-wlcb-01',
          gpuType: '4090',
          rows: [{ gpu: 1, cpu: 16, mem: 64, enough: true }],
          timeline: [{ at: 60, rows: [{ gpu: 2, enough: false }] }],
        },
      ],
    };
    expect(() => parseScenario(timeline, 's')).toThrow(/capacity\[0\]\.timeline\[0\]\.rows\[0\]: matches no row/);
  });

  it('reports an unreadable file and a YAML syntax error', async () => {
    await expect(loadScenarioFile(join(tempDir(), 'missing.yaml'))).rejects.toThrow(/cannot read: ENOENT/);
    const path = join(tempDir(), 'broken.yaml');
    writeFileSync(path, 'zones: [unclosed\n');
    await expect(loadScenarioFile(path)).rejects.toThrow(/not valid YAML or JSON/);
  });
});

describe('capacity over sim time', () => {
  it('follows the scenario timeline', async () => {
    const scenario = parseScenario(
      {
        capacity: [
          {
            zone: SIM_ZONE,
            gpuType: '4090',
            rows: [
              { gpu: 1, cpu: 16, mem: 64, enough: true },
              { gpu: 2, cpu: 32, mem: 128, enough: true },
            ],
            timeline: [
              { at: 120, rows: [{ gpu: 1, enough: true }] },
              { at: 60, rows: [{ gpu: 1, enough: false }, { gpu: 2, cpu: 32, enough: false }] },
            ],
          },
        ],
      },
      'test',
    );
    const sim = await startTestSim({ scenario, now: () => T0_MS });
    try {
      expect(await specs(sim)).toEqual(['1:true', '2:true']);
      await sim.advance(59);
      expect(await specs(sim)).toEqual(['1:true', '2:true']);
      await sim.advance(1);
      expect(await specs(sim)).toEqual(['1:false', '2:false']);
      await sim.advance(60);
      expect(await specs(sim)).toEqual(['1:true', '2:false']);
    } finally {
      await sim.close();
    }
  });

  it('seeds instances from the scenario relative to the start', async () => {
    const scenario = parseScenario(
      { instances: [{ uhostId: 'uhost-train', name: 'train', gpuType: '4090', startAt: -7200, schedulerStopAt: 600 }] },
      'test',
    );
    const sim = await startTestSim({ scenario, now: () => T0_MS });
    try {
      const [row] = await sim.instances();
      expect(row).toMatchObject({ UHostId: 'uhost-train', State: 'Running', StartTime: T0_MS / 1000 - 7200 });
      expect(row?.SchedulerStopTime).toBe(T0_MS / 1000 + 600);
      await sim.advance(600);
      expect((await sim.instances())[0]).toMatchObject({ State: 'Stopped', SchedulerStopTime: 0 });
    } finally {
      await sim.close();
    }
  });

  it('stays as set without a seed or a timeline', async () => {
    const sim = await startTestSim({ now: () => T0_MS });
    try {
      const before = await capacity(sim);
      await sim.advance(86_400);
      expect(await capacity(sim)).toBe(before);
    } finally {
      await sim.close();
    }
  });

  it('follows a seeded random walk that is the same for the same seed, however the clock is advanced', async () => {
    const steps = 30;
    const stepwise = await startTestSim({ seed: 42, now: () => T0_MS });
    const atOnce = await startTestSim({ seed: 42, now: () => T0_MS });
    const otherSeed = await startTestSim({ seed: 43, now: () => T0_MS });
    try {
      const seen: string[] = [];
      const otherSeen: string[] = [];
      for (let step = 0; step < steps; step += 1) {
        await stepwise.advance(WALK_STEP_SECONDS);
        await otherSeed.advance(WALK_STEP_SECONDS);
        seen.push(await capacity(stepwise));
        otherSeen.push(await capacity(otherSeed));
      }
      expect(new Set(seen).size).toBeGreaterThan(3);
      expect(otherSeen).not.toEqual(seen);
      await atOnce.advance(steps * WALK_STEP_SECONDS);
      expect(await capacity(atOnce)).toBe(seen.at(-1));
      // Bigger configurations sell out first: a row is enough only if every smaller GPU count is.
      for (const entry of JSON.parse(seen.at(-1) ?? '[]') as Array<{ rows: Array<{ gpu: number; enough: boolean }> }>) {
        const enough = entry.rows.map((row) => row.enough);
        expect(enough).toEqual([...enough].sort((a, b) => Number(b) - Number(a)));
      }
    } finally {
      await Promise.all([stepwise.close(), atOnce.close(), otherSeed.close()]);
    }
  });
});

describe('capacity control API', () => {
  it('replaces rows with PUT and flips rows with PATCH', async () => {
    const sim = await startTestSim();
    try {
      await sim.control('PUT', 'capacity', {
        zone: 'cn-wlcb-02',
        gpuType: 'H20',
        rows: [{ gpu: 1, cpu: 20, mem: 96, enough: false }],
      });
      const reply = await sim.call('CheckCompShareResourceCapacity', { ...CHECK, Zone: 'cn-wlcb-02', GpuType: 'H20' });
      expect(reply.body?.Specs).toEqual([{ Gpu: 1, Cpu: 20, Mem: 96, ResourceEnough: false }]);
      await sim.control('PATCH', 'capacity', { zone: SIM_ZONE, gpuType: '4090', rows: [{ gpu: 2, enough: false }] });
      expect(await specs(sim)).toEqual(['1:true', '2:false', '4:true', '8:false']);
      const patch = (gpuType: string, gpu: number) =>
        sim.control('PATCH', 'capacity', { zone: SIM_ZONE, gpuType, rows: [{ gpu, enough: true }] }, true);
      expect((await patch('4090', 3)).status).toBe(400);
      expect((await patch('B200', 1)).status).toBe(404);
    } finally {
      await sim.close();
    }
  });
});
