import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientOptions, CompshareClient } from '../../src/compshare/client.js';
import {
  checkResourceCapacity,
  createInstance,
  deleteStopScheduler,
  getInstancePrice,
  getProjectList,
  listAllInstances,
  stopInstance,
  updateStopScheduler,
} from '../../src/compshare/actions/index.js';
import {
  CompshareError,
  HttpStatusError,
  MalformedResponseError,
  NetworkError,
  RetCodeError,
  TimeoutError,
} from '../../src/compshare/errors.js';
import { RATE_LIMIT_PENALTY_MS } from '../../src/compshare/retry.js';
import { put4090Rows, startTestSim, SIM_ZONE, type TestSim } from '../helpers/sim.js';
import { CAPACITY_REQUEST_4090, simClient } from '../helpers/client.js';

const disks = [{ isBoot: true, type: 'CLOUD_SSD', size: 60 }];
const capacityRequest = CAPACITY_REQUEST_4090;

let sim: TestSim;
let client: CompshareClient;
beforeEach(async () => {
  sim = await startTestSim();
  client = simClient(sim);
});
afterEach(async () => {
  await client.close();
  await sim.close();
});

const actionsSent = async () => (await sim.requests()).map((entry) => entry.action as string);

/** A client on a virtual clock: every wait is recorded and skipped, so a rate-limit penalty costs no real time. */
function virtualClockClient(overrides: Partial<ClientOptions> = {}): { client: CompshareClient; waits: number[] } {
  let elapsed = 0;
  const waits: number[] = [];
  const sleep = async (ms: number): Promise<void> => {
    waits.push(ms);
    elapsed += ms;
  };
  const clock = { now: () => Date.now(), monotonic: () => elapsed };
  return { client: simClient(sim, { projectId: 'org-sim', clock, sleep, ...overrides }), waits };
}

describe('Compshare client against the simulator', () => {
  it('checks capacity with typed rows, without looking up a project (capacity is not a project\'s)', async () => {
    await put4090Rows(sim, [
      [1, 16, 64, true],
      [2, 32, 128, false],
    ]);
    const first = await checkResourceCapacity(client, capacityRequest);
    expect(first.rows).toEqual([
      { gpu: 1, cpu: 16, mem: 64, resourceEnough: true },
      { gpu: 2, cpu: 32, mem: 128, resourceEnough: false },
    ]);
    expect(first.requestUuid).toMatch(/[0-9a-f-]{36}/);
    const log = await sim.requests();
    expect(log.map((entry) => entry.action)).toEqual(['CheckCompShareResourceCapacity']);
    expect(log[0]!.params).toMatchObject({ 'Disks.0.IsBoot': 'true', 'Disks.0.Size': '60', GpuType: '4090' });
    expect(log[0]!.params).not.toHaveProperty('ProjectId');
  });

  it('discovers the default project once for the actions that need one', async () => {
    await listAllInstances(client);
    await listAllInstances(client);
    const log = await sim.requests();
    expect(log.map((entry) => entry.action)).toEqual(['GetProjectList', 'DescribeCompShareInstance', 'DescribeCompShareInstance']);
    expect(log[1]!.params).toMatchObject({ ProjectId: 'org-sim' });
  });

  it('uses the configured project id without asking for one', async () => {
    const configured = simClient(sim, { projectId: 'org-sim-team' });
    await checkResourceCapacity(configured, capacityRequest);
    await configured.close();
    expect(await actionsSent()).toEqual(['CheckCompShareResourceCapacity']);
  });

  it('lists projects with the request id', async () => {
    const { projects, requestUuid } = await getProjectList(client);
    expect(projects.find((project) => project.isDefault)?.projectId).toBe('org-sim');
    expect(requestUuid).toMatch(/[0-9a-f-]{36}/);
  });

  it('reports a wrong key pair as RetCode 171 with a hint, without retrying', async () => {
    const wrong = simClient(sim, { privateKey: 'not-the-key', projectId: 'org-sim' });
    const error = await checkResourceCapacity(wrong, capacityRequest).catch((e: unknown) => e);
    await wrong.close();
    expect(error).toBeInstanceOf(RetCodeError);
    expect((error as RetCodeError).retCode).toBe(171);
    expect((error as Error).message).toMatch(/check the key pair/);
    expect((error as Error).message).not.toContain('not-the-key');
    expect((error as RetCodeError).requestUuid).toBeTruthy();
    expect(await actionsSent()).toHaveLength(1);
  });

  it('pages DescribeCompShareInstance over 250 instances', async () => {
    const instances = Array.from({ length: 250 }, (_, index) => ({ name: `box-${index}`, gpuType: '4090' }));
    await sim.control('POST', 'instances', { instances });
    const all = await listAllInstances(client);
    expect(all).toHaveLength(250);
    expect(new Set(all.map((instance) => instance.id)).size).toBe(250);
    const pages = (await sim.requests()).filter((entry) => entry.action === 'DescribeCompShareInstance');
    expect(pages.map((entry) => [entry.params.Limit, entry.params.Offset])).toEqual([
      ['100', '0'],
      ['100', '100'],
      ['100', '200'],
    ]);
  });

  it('lists nothing, and asks nothing, for an empty id list (the gateway would read it as no filter)', async () => {
    await sim.control('POST', 'instances', { instances: [{ name: 'a', gpuType: '4090' }] });
    expect(await listAllInstances(client, { ids: [] })).toEqual([]);
    expect(await actionsSent()).not.toContain('DescribeCompShareInstance');
  });

  it('sends the older SDK field names beside the contract ones', async () => {
    const [id] = (await sim.control('POST', 'instances', { instances: [{ name: 'a', gpuType: '4090' }] })).body.UHostIds as string[];
    const { now } = (await sim.control('GET', 'state')).body as { now: number };
    await updateStopScheduler(client, { zone: SIM_ZONE, instanceId: id!, stopTime: now + 3600 });
    const [host] = (await sim.call('DescribeCompShareInstance', { ProjectId: 'org-sim' })).body?.UHostSet as Array<Record<string, unknown>>;
    expect(host).toMatchObject({ SchedulerStopTime: now + 3600, StopSchedulerTime: now + 3600 });
    const price = { Zone: SIM_ZONE, GpuType: '4090', Gpu: 1, Cpu: 16, Memory: 65536, Disks: [{ IsBoot: true, Type: 'CLOUD_SSD', Size: 60 }] };
    const body = (await sim.call('GetCompShareInstancePrice', { ProjectId: 'org-sim', ...price })).body;
    expect(body?.PriceDetails.length).toBeGreaterThan(0);
    expect(body?.PriceDetail).toEqual(body?.PriceDetails);
  });

  it('creates an instance, finds it by name, schedules and unschedules its stop, and stops it', async () => {
    await put4090Rows(sim, [[1, 16, 64, true]]);
    const created = await createInstance(client, { ...capacityRequest, gpu: 1, cpu: 16, memGb: 64, name: 'grab-token-1' });
    expect(created.instanceIds).toHaveLength(1);
    const id = created.instanceIds[0]!;
    await sim.advance(60);
    const [instance] = await listAllInstances(client, { ids: [id] });
    expect(instance).toMatchObject({ id, name: 'grab-token-1', state: 'Running', gpu: 1, cpu: 16, memoryMb: 65536, schedulerStopTime: 0 });

    const { now } = (await sim.control('GET', 'state')).body as { now: number };
    await updateStopScheduler(client, { zone: SIM_ZONE, instanceId: id, stopTime: now + 3600 });
    expect((await listAllInstances(client, { ids: [id] }))[0]?.schedulerStopTime).toBe(now + 3600);
    const sent = (await sim.requests()).find((entry) => entry.action === 'UpdateCompShareStopScheduler');
    expect(sent?.params).toMatchObject({ SchedulerStopTime: String(now + 3600), UHostId: id });

    await deleteStopScheduler(client, { zone: SIM_ZONE, instanceId: id });
    expect((await listAllInstances(client, { ids: [id] }))[0]?.schedulerStopTime).toBe(0);

    await stopInstance(client, { zone: SIM_ZONE, instanceId: id });
    await sim.advance(60);
    expect((await listAllInstances(client, { ids: [id] }))[0]?.state).toBe('Stopped');
  });

  it('refuses a stop time sooner than five minutes ahead', async () => {
    const [id] = ((await sim.control('POST', 'instances', { instances: [{ name: 'a', gpuType: '4090' }] })).body.UHostIds as string[]);
    const { now } = (await sim.control('GET', 'state')).body as { now: number };
    const error = await updateStopScheduler(client, { zone: SIM_ZONE, instanceId: id!, stopTime: now + 60 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetCodeError);
  });

  it('gets a price for every charge type', async () => {
    const rows = await getInstancePrice(client, { zone: SIM_ZONE, gpuType: '4090', gpu: 1, cpu: 16, memGb: 64, disks });
    expect(rows.map((row) => row.chargeType)).toEqual(expect.arrayContaining(['Dynamic', 'Month']));
    for (const row of rows) expect(row.total).toBeGreaterThan(0);
  });

  it('never retries a create, even on a transient failure, and surfaces 226604 as is', async () => {
    await put4090Rows(sim, [[1, 16, 64, false]]);
    const request = { ...capacityRequest, gpu: 1, cpu: 16, memGb: 64, name: 'grab-token-2' };
    const short = await createInstance(client, request).catch((e: unknown) => e);
    expect((short as RetCodeError).retCode).toBe(226604);
    await put4090Rows(sim, [[1, 16, 64, true]]);
    await sim.addFault({ kind: 'http', status: 503, count: 1, action: 'CreateCompShareInstance' });
    const failed = await createInstance(client, request).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(HttpStatusError);
    expect((await actionsSent()).filter((action) => action === 'CreateCompShareInstance')).toHaveLength(2);
  });
});

describe('fault handling', () => {
  const checks = async () => (await actionsSent()).filter((action) => action === 'CheckCompShareResourceCapacity').length;

  it.each([
    ['HTTP 503', { kind: 'http', status: 503 }, false],
    ['HTTP 429', { kind: 'http', status: 429 }, true],
    ['RetCode 153 (rate limited)', { kind: 'retcode', retCode: 153 }, true],
    ['RetCode 150 (service unavailable)', { kind: 'retcode', retCode: 150 }, false],
  ] as const)('retries %s and then succeeds, each retry waiting at least the penalty if rate limited', async (_label, fault, rateLimited) => {
    const { client: virtual, waits } = virtualClockClient();
    await sim.addFault({ ...fault, count: 2, action: 'CheckCompShareResourceCapacity' });
    const result = await checkResourceCapacity(virtual, capacityRequest);
    await virtual.close();
    expect(result.rows.length).toBeGreaterThan(0);
    expect(await checks()).toBe(3);
    expect(waits.filter((ms) => ms >= RATE_LIMIT_PENALTY_MS)).toHaveLength(rateLimited ? 2 : 0);
  });

  it('gives up after maxAttempts with the last typed error', async () => {
    await sim.addFault({ kind: 'http', status: 502, action: 'CheckCompShareResourceCapacity' });
    const error = await checkResourceCapacity(client, capacityRequest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(502);
    expect(await checks()).toBe(3);
  });

  it.each([
    ['HTTP 400', { kind: 'http', status: 400 }, HttpStatusError],
    ['RetCode 230 (bad parameter)', { kind: 'retcode', retCode: 230, message: 'Params [Zone] not available' }, RetCodeError],
    ['RetCode 226604 (resources not enough)', { kind: 'retcode', retCode: 226604 }, RetCodeError],
    ['a body that is not JSON', { kind: 'malformed' }, MalformedResponseError],
  ] as const)('does not retry %s', async (_label, fault, type) => {
    await sim.addFault({ ...fault, count: 1, action: 'CheckCompShareResourceCapacity' });
    const error = await checkResourceCapacity(client, capacityRequest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(await checks()).toBe(1);
  });

  it('times out a hung request, retries it, and reports a timeout', async () => {
    const quick = simClient(sim, { timeoutMs: 200, projectId: 'org-sim', retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    await sim.addFault({ kind: 'hang', action: 'CheckCompShareResourceCapacity' });
    const error = await checkResourceCapacity(quick, capacityRequest).catch((e: unknown) => e);
    await quick.close();
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(/no answer within 200 ms/);
    expect(await checks()).toBe(2);
  });

  it('waits out added latency within the timeout', async () => {
    await sim.addFault({ kind: 'latency', ms: 100, count: 1, action: 'CheckCompShareResourceCapacity' });
    await expect(checkResourceCapacity(client, capacityRequest)).resolves.toBeTruthy();
    expect(await checks()).toBe(1);
  });

  it('reports a refused connection as a network error', async () => {
    const url = sim.url;
    await sim.close();
    const orphan = simClient(sim, { baseUrl: url, projectId: 'org-sim', retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    const error = await checkResourceCapacity(orphan, capacityRequest).catch((e: unknown) => e);
    await orphan.close();
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    sim = await startTestSim();
  });

  it('rejects a success envelope whose Specs rows have the wrong shape, naming the field', async () => {
    const server = createServer((_request, response) => {
      response.setHeader('x-ucloud-request-uuid', 'req-shape');
      response.end(JSON.stringify({ Action: 'CheckCompShareResourceCapacityResponse', RetCode: '0', Specs: [{ Gpu: 1, Cpu: 16, Mem: 64, ResourceEnough: 'maybe' }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const odd = simClient(sim, { baseUrl: `http://127.0.0.1:${port}`, projectId: 'org-x' });
    const error = await checkResourceCapacity(odd, capacityRequest).catch((e: unknown) => e);
    await odd.close();
    server.close();
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as Error).message).toMatch(/Specs\[0\]\.ResourceEnough/);
    expect((error as Error).message).toMatch(/req-shape/);
  });
});

describe('rate limit', () => {
  it.each([
    ['RetCode 153', { kind: 'retcode', retCode: 153 }],
    ['HTTP 429', { kind: 'http', status: 429 }],
  ] as const)('after %s holds back the next call, of any action, by the penalty', async (_label, fault) => {
    const { client: shared, waits } = virtualClockClient({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    await sim.addFault({ ...fault, count: 1, action: 'CheckCompShareResourceCapacity' });
    await expect(checkResourceCapacity(shared, capacityRequest)).rejects.toBeInstanceOf(CompshareError);
    expect(waits).toEqual([]);
    await getInstancePrice(shared, { zone: SIM_ZONE, gpuType: '4090', gpu: 1, cpu: 16, memGb: 64, disks });
    await shared.close();
    expect(waits).toEqual([RATE_LIMIT_PENALTY_MS]);
  });

  it('holds a burst of 30 calls to the configured rate', async () => {
    const arrivals: number[] = [];
    const server = createServer((_request, response) => {
      arrivals.push(performance.now());
      response.end(JSON.stringify({ Action: 'GetProjectListResponse', RetCode: 0, ProjectSet: [] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const limited = simClient(sim, { baseUrl: `http://127.0.0.1:${port}`, maxRequestsPerSecond: 20 });
    await Promise.all(Array.from({ length: 30 }, () => getProjectList(limited)));
    await limited.close();
    server.close();
    expect(arrivals).toHaveLength(30);
    // Network jitter can only delay an arrival, so any one-second window holds at most rate + 2 requests.
    for (const start of arrivals) {
      expect(arrivals.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(22);
    }
  });
});
