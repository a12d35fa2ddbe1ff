import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formBody } from '../../src/compshare/encode.js';
import { signParams } from '../../src/compshare/sign.js';
import { parseScenario } from '../../src/sim/scenario.js';
import { CHECK_4090_PARAMS, SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, SIM_REGION, SIM_ZONE, startTestSim, type TestSim } from '../helpers/sim.js';

const CHECK = CHECK_4090_PARAMS;

describe('simulator protocol', () => {
  let sim: TestSim;
  beforeEach(async () => {
    sim = await startTestSim();
  });
  afterEach(async () => {
    await sim.close();
  });

  it('answers a signed Check with Specs rows, a request id and a JSON content type', async () => {
    const reply = await sim.call('CheckCompShareResourceCapacity', CHECK);
    expect(reply.status).toBe(200);
    expect(reply.requestUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.body).toMatchObject({ Action: 'CheckCompShareResourceCapacityResponse', RetCode: 0 });
    expect(reply.body?.Specs).toContainEqual({ Gpu: 1, Cpu: 16, Mem: 64, ResourceEnough: true });
    for (const row of reply.body?.Specs as unknown[]) {
      expect(row).toEqual({
        Gpu: expect.any(Number),
        Cpu: expect.any(Number),
        Mem: expect.any(Number),
        ResourceEnough: expect.any(Boolean),
      });
    }
    const raw = await fetch(`${sim.url}/`, { method: 'POST' });
    expect(raw.headers.get('content-type')).toBe('application/json');
  });

  it.each(['form', 'json', 'query'] as const)('accepts a %s request', async (encoding) => {
    const reply = await sim.call('CheckCompShareResourceCapacity', CHECK, { encoding });
    expect(reply.body?.RetCode).toBe(0);
  });

  it('merges the query string with the body (the Go SDK repeats Action in the query)', async () => {
    const signed = signParams({ Action: 'GetProjectList', Region: SIM_REGION }, SIM_PUBLIC_KEY, SIM_PRIVATE_KEY);
    const { Action: _inQueryOnly, ...bodyParams } = signed;
    for (const body of [signed, bodyParams]) {
      const reply = await fetch(`${sim.url}/?Action=GetProjectList`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: formBody(body),
      });
      expect(((await reply.json()) as { RetCode: number }).RetCode).toBe(0);
    }
  });

  it('refuses a bad signature with 171, an unknown key with 172, a missing one with 170', async () => {
    const bad = await sim.call('GetProjectList', {}, { privateKey: 'wrong' });
    expect(bad.status).toBe(200);
    expect(bad.body).toMatchObject({ Action: 'GetProjectListResponse', RetCode: 171, Message: 'Signature error' });
    const unknownUser = await sim.call('GetProjectList', {}, { publicKey: 'someone-else' });
    expect(unknownUser.body?.RetCode).toBe(172);
    const unsigned = await fetch(`${sim.url}/?Action=GetProjectList&PublicKey=sim-public-key`);
    expect(((await unsigned.json()) as { RetCode: number }).RetCode).toBe(170);
  });

  it('refuses a missing Action with 160 and an unknown one with 161', async () => {
    const missing = await fetch(`${sim.url}/`, { method: 'POST' });
    expect(missing.status).toBe(200);
    expect(missing.headers.get('x-ucloud-request-uuid')).toBeTruthy();
    expect(((await missing.json()) as { RetCode: number }).RetCode).toBe(160);
    const unknown = await sim.call('DescribeNothing');
    expect(unknown.body).toMatchObject({ Action: 'DescribeNothingResponse', RetCode: 161 });
    expect(unknown.body?.Message).toContain('DescribeNothing');
  });

  it('refuses a missing or malformed param with 230 naming it', async () => {
    const { GpuType: _omitted, ...withoutGpuType } = CHECK;
    const missing = await sim.call('CheckCompShareResourceCapacity', withoutGpuType);
    expect(missing.body).toMatchObject({ RetCode: 230, Message: 'Params [GpuType] not available' });
    const noBootDisk = await sim.call('CheckCompShareResourceCapacity', {
      ...CHECK,
      Disks: [{ IsBoot: false, Type: 'CLOUD_SSD', Size: 60 }],
    });
    expect(noBootDisk.body?.RetCode).toBe(230);
    expect(noBootDisk.body?.Message).toMatch(/^Params \[Disks.N.IsBoot\] not available/);
    const noRegion = await sim.call('CheckCompShareResourceCapacity', { ...CHECK, Region: undefined });
    expect(noRegion.body).toMatchObject({ RetCode: 230, Message: 'Params [Region] not available' });
  });

  it('answers 230 to a JSON body that does not parse', async () => {
    const reply = await fetch(`${sim.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(reply.status).toBe(200);
    expect(((await reply.json()) as { RetCode: number }).RetCode).toBe(230);
  });

  it('answers 8333 when the zone lacks the GPU type', async () => {
    const reply = await sim.call('CheckCompShareResourceCapacity', { ...CHECK, GpuType: 'H100' });
    expect(reply.body?.RetCode).toBe(8333);
    expect(reply.body?.Message).toContain('H100');
  });

  it('lists a default project and refuses an unknown ProjectId with 292', async () => {
    const projects = await sim.call('GetProjectList');
    expect(projects.body?.ProjectSet).toContainEqual({ ProjectId: 'org-sim', ProjectName: 'Default', IsDefault: true });
    expect(projects.body?.ProjectSet.filter((project: { IsDefault: boolean }) => !project.IsDefault)).toHaveLength(1);
    const known = await sim.call('CheckCompShareResourceCapacity', { ...CHECK, ProjectId: 'org-sim' });
    expect(known.body?.RetCode).toBe(0);
    const unknown = await sim.call('CheckCompShareResourceCapacity', { ...CHECK, ProjectId: 'org-nope' });
    expect(unknown.body?.RetCode).toBe(292);
  });
});

describe('the seed examples, as the Python SDK sends them', () => {
  let sim: TestSim;
  beforeEach(async () => {
    // The seed pages use placeholder keys and ids; a scenario makes them real.
    sim = await startTestSim({
      publicKey: 'my_public_key',
      privateKey: 'my_private_key',
      scenario: parseScenario(
        {
          projects: [{ projectId: 'org-xxx', projectName: 'Default', isDefault: true }],
          instances: [{ uhostId: 'uhost-xxxx', name: 'seed', gpuType: '4090' }],
        },
        'test',
      ),
    });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('seed 000: CheckCompShareResourceCapacity with string booleans in Disks', async () => {
    const reply = await sim.call('CheckCompShareResourceCapacity', {
      ...CHECK,
      Disks: [{ IsBoot: 'true', Type: 'CLOUD_SSD', Size: 60 }],
    });
    expect(reply.body?.RetCode).toBe(0);
  });

  it('seed 003: GetProjectList, then UpdateCompShareStopScheduler an hour ahead', async () => {
    const projects = await sim.call('GetProjectList');
    const projectId = projects.body?.ProjectSet[0].ProjectId as string;
    const stopTime = sim.simulator.state.nowSeconds() + 3600;
    const reply = await sim.call('UpdateCompShareStopScheduler', {
      ProjectId: projectId,
      Zone: SIM_ZONE,
      UHostId: 'uhost-xxxx',
      SchedulerStopTime: stopTime,
    });
    expect(reply.body).toEqual({ Action: 'UpdateCompShareStopSchedulerResponse', RetCode: 0, UHostId: 'uhost-xxxx' });
  });

  it("verifies the contract's known-answer signature for CreateCompShareInstance", async () => {
    const keyed = await startTestSim({
      publicKey: 'pub',
      privateKey: 'priv',
      scenario: parseScenario({ projects: [{ projectId: 'org-xxx', projectName: 'Default', isDefault: true }] }, 't'),
    });
    const body = new URLSearchParams({
      Action: 'CreateCompShareInstance',
      CPU: '16',
      ChargeType: 'Dynamic',
      CompShareImageId: 'compshareImage-xxx',
      'Disks.0.IsBoot': 'true',
      'Disks.0.Size': '200',
      'Disks.0.Type': 'CLOUD_SSD',
      EnableUS3: 'false',
      GPU: '1',
      GpuType: '4090',
      MachineType: 'G',
      Memory: '65536',
      Name: 'n1',
      ProjectId: 'org-xxx',
      Region: 'cn-wlcb',
      Zone: 'cn-wlcb-01',
      PublicKey: 'pub',
      Signature: 'afc65f4c4c8d650652eb22070bacf12131bcecb6',
    });
    const reply = await fetch(`${keyed.url}/`, { method: 'POST', body });
    const json = (await reply.json()) as { RetCode: number; UHostIds: string[] };
    await keyed.close();
    expect(json.RetCode).toBe(0);
    expect(json.UHostIds).toHaveLength(1);
  });
});
