import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Params } from '../../src/compshare/encode.js';
import { SIM_ZONE, startTestSim, type TestSim } from '../helpers/sim.js';

const BOOT_DISK = [{ IsBoot: true, Type: 'CLOUD_SSD', Size: 60 }];
const CREATE = {
  Zone: SIM_ZONE,
  GpuType: '4090',
  GPU: 1,
  CPU: 16,
  Memory: 65536,
  CompShareImageId: 'compshareImage-xxxx',
  MachineType: 'G',
  ChargeType: 'Dynamic',
  Disks: BOOT_DISK,
  Name: 'grab-1',
  Remark: 'token-1',
};

/** A frozen wall clock: only POST /__sim/clock moves time, so "now + 300" is exact. */
const T0_MS = Date.UTC(2026, 0, 15, 8, 0, 0);

describe('simulator actions', () => {
  let sim: TestSim;
  beforeEach(async () => {
    sim = await startTestSim({ now: () => T0_MS });
  });
  afterEach(async () => {
    await sim.close();
  });

  const now = (): number => sim.simulator.state.nowSeconds();

  async function seedInstances(instances: object[]): Promise<string[]> {
    return (await sim.control('POST', 'instances', { instances })).body.UHostIds as string[];
  }

  async function listInstances(params: Params = {}): Promise<Record<string, any>> {
    const reply = await sim.call('DescribeCompShareInstance', params);
    expect(reply.body?.RetCode).toBe(0);
    return reply.body as Record<string, any>;
  }

  describe('CreateCompShareInstance', () => {
    it('creates an Initializing instance that is Running once the boot delay has passed', async () => {
      const reply = await sim.call('CreateCompShareInstance', CREATE);
      expect(reply.body?.RetCode).toBe(0);
      const [id] = reply.body?.UHostIds as string[];
      const created = now();
      const booting = (await listInstances({ UHostIds: [id] })).UHostSet[0];
      expect(booting).toMatchObject({ UHostId: id, Name: 'grab-1', Remark: 'token-1', ChargeType: 'Dynamic' });
      expect(booting).toMatchObject({ State: 'Initializing', StartTime: 0, GpuType: '4090', GPU: 1, Memory: 65536 });
      await sim.advance(10);
      const running = (await listInstances({ UHostIds: [id] })).UHostSet[0];
      expect(running.State).toBe('Running');
      expect(running.StartTime).toBeGreaterThanOrEqual(created + 10);
    });

    it('treats Quantity as prepaid periods: ExpireTime follows it, and one instance is created', async () => {
      const expiries: number[] = [];
      for (const params of [
        { ChargeType: 'Month', Quantity: 2 },
        { ChargeType: 'Month', Quantity: 0 },
        { ChargeType: 'Day', Quantity: 3 },
        { ChargeType: 'Dynamic' },
      ]) {
        const reply = await sim.call('CreateCompShareInstance', { ...CREATE, ...params });
        expect(reply.body?.UHostIds).toHaveLength(1);
        expiries.push((await listInstances({ UHostIds: reply.body?.UHostIds })).UHostSet[0].ExpireTime);
      }
      expect(expiries).toEqual([now() + 60 * 86_400, Date.UTC(2026, 1, 1) / 1000, now() + 3 * 86_400, 0]);
    });

    it('refuses with 226604 when the capacity row is not enough, and creates nothing', async () => {
      const reply = await sim.call('CreateCompShareInstance', { ...CREATE, GPU: 8, CPU: 128, Memory: 512 * 1024 });
      expect(reply.body).toMatchObject({ RetCode: 226604, Message: 'resources not enough' });
      await sim.control('PATCH', 'capacity', { zone: SIM_ZONE, gpuType: '4090', rows: [{ gpu: 1, enough: false }] });
      expect((await sim.call('CreateCompShareInstance', CREATE)).body?.RetCode).toBe(226604);
      expect((await listInstances()).TotalCount).toBe(0);
    });

    it('validates Memory, the boot disk and required params', async () => {
      expect((await sim.call('CreateCompShareInstance', { ...CREATE, Memory: 65000 })).body?.Message).toMatch(
        /^Params \[Memory\] not available: must be a multiple of 1024/,
      );
      const twoBoot = { ...CREATE, Disks: [...BOOT_DISK, ...BOOT_DISK] };
      expect((await sim.call('CreateCompShareInstance', twoBoot)).body?.RetCode).toBe(230);
      const { CompShareImageId: _omitted, ...noImage } = CREATE;
      expect((await sim.call('CreateCompShareInstance', noImage)).body?.Message).toBe(
        'Params [CompShareImageId] not available',
      );
      expect((await sim.call('CreateCompShareInstance', { ...CREATE, ChargeType: 'Weekly' })).body?.RetCode).toBe(230);
    });
  });

  describe('DescribeCompShareInstance', () => {
    it('returns rows with the documented field types', async () => {
      await seedInstances([{ name: 'a', gpuType: '4090', tag: 'training', schedulerStopAt: 3600 }]);
      const [row] = (await listInstances()).UHostSet;
      const strings = ['UHostId', 'Name', 'Tag', 'Remark', 'State', 'ChargeType', 'Region', 'Zone', 'GpuType'];
      for (const field of [...strings, 'MachineType', 'CpuPlatform', 'InstanceType']) {
        expect(typeof row[field], field).toBe('string');
      }
      for (const field of ['GPU', 'CPU', 'Memory', 'CreateTime', 'StartTime', 'ExpireTime', 'UpdateTime', 'StopTime']) {
        expect(Number.isInteger(row[field]), field).toBe(true);
      }
      expect(row.SchedulerStopTime).toBe(now() + 3600);
      expect(typeof row.InstancePrice).toBe('number');
    });

    it('pages with Limit (default 20, clamped to 100) and Offset, and counts every match', async () => {
      await seedInstances(Array.from({ length: 120 }, (_, index) => ({ name: `i${index}`, gpuType: '4090' })));
      const first = await listInstances();
      expect(first.TotalCount).toBe(120);
      expect(first.UHostSet).toHaveLength(20);
      expect((await listInstances({ Limit: 500 })).UHostSet).toHaveLength(100);
      const last = await listInstances({ Limit: 50, Offset: 100 });
      expect(last.UHostSet.map((row: { Name: string }) => row.Name)).toEqual(
        Array.from({ length: 20 }, (_, index) => `i${index + 100}`),
      );
    });

    it('filters by UHostIds.N, Tag and Zone', async () => {
      const [a, b] = await seedInstances([
        { name: 'a', gpuType: '4090', tag: 'training' },
        { name: 'b', gpuType: '4090', tag: 'serving' },
        { name: 'c', gpuType: '5090', tag: 'training' },
      ]);
      const byIds = await listInstances({ UHostIds: [a, b] });
      expect(byIds.UHostSet.map((row: { Name: string }) => row.Name)).toEqual(['a', 'b']);
      const byTag = await listInstances({ Tag: 'training' });
      expect(byTag.UHostSet.map((row: { Name: string }) => row.Name)).toEqual(['a', 'c']);
      expect((await listInstances({ Zone: 'cn-wlcb-02' })).TotalCount).toBe(0);
      expect((await listInstances({ Zone: SIM_ZONE })).TotalCount).toBe(3);
    });
  });

  describe('UpdateCompShareStopScheduler / DeleteCompShareStopScheduler', () => {
    it('sets a stop time at least 5 minutes ahead; the instance stops when sim time passes it', async () => {
      const [id] = await seedInstances([{ name: 'a', gpuType: '4090' }]);
      const stopAt = now() + 600;
      const reply = await sim.call('UpdateCompShareStopScheduler', {
        Zone: SIM_ZONE,
        UHostId: id,
        SchedulerStopTime: stopAt,
      });
      expect(reply.body).toEqual({ Action: 'UpdateCompShareStopSchedulerResponse', RetCode: 0, UHostId: id });
      expect((await listInstances({ UHostIds: [id] })).UHostSet[0].SchedulerStopTime).toBe(stopAt);
      await sim.advance(599);
      expect((await listInstances({ UHostIds: [id] })).UHostSet[0].State).toBe('Running');
      await sim.advance(2);
      const stopped = (await listInstances({ UHostIds: [id] })).UHostSet[0];
      expect(stopped).toMatchObject({ State: 'Stopped', SchedulerStopTime: 0, StopTime: stopAt });
    });

    it('refuses a stop time less than 5 minutes ahead', async () => {
      const [id] = await seedInstances([{ name: 'a', gpuType: '4090' }]);
      const reply = await sim.call('UpdateCompShareStopScheduler', { UHostId: id, SchedulerStopTime: now() + 299 });
      expect(reply.body?.RetCode).toBe(230);
      expect(reply.body?.Message).toContain('at least 5 minutes');
      expect((await listInstances({ UHostIds: [id] })).UHostSet[0].SchedulerStopTime).toBe(0);
    });

    it('accepts StopTime, the typed SDKs’ name, as an alias', async () => {
      const [id] = await seedInstances([{ name: 'a', gpuType: '4090' }]);
      const reply = await sim.call('UpdateCompShareStopScheduler', { UHostId: id, StopTime: now() + 300 });
      expect(reply.body?.RetCode).toBe(0);
      expect((await listInstances({ UHostIds: [id] })).UHostSet[0].SchedulerStopTime).toBe(now() + 300);
    });

    it('refuses spot instances and unknown ids', async () => {
      const [spot] = await seedInstances([{ name: 's', gpuType: '4090', chargeType: 'Spot' }]);
      const stopAt = now() + 3600;
      const refused = await sim.call('UpdateCompShareStopScheduler', { UHostId: spot, SchedulerStopTime: stopAt });
      expect(refused.body?.RetCode).not.toBe(0);
      expect(refused.body?.Message).toMatch(/spot/i);
      const unknown = await sim.call('UpdateCompShareStopScheduler', {
        UHostId: 'uhost-nope',
        SchedulerStopTime: stopAt,
      });
      expect(unknown.body?.RetCode).toBe(230);
      expect(unknown.body?.Message).toMatch(/^Params \[UHostId\] not available/);
    });

    it('deletes a schedule', async () => {
      const [id] = await seedInstances([{ name: 'a', gpuType: '4090', schedulerStopAt: 3600 }]);
      const reply = await sim.call('DeleteCompShareStopScheduler', { UHostId: id });
      expect(reply.body).toEqual({ Action: 'DeleteCompShareStopSchedulerResponse', RetCode: 0, UHostId: id });
      await sim.advance(7200);
      const [row] = (await listInstances({ UHostIds: [id] })).UHostSet;
      expect(row).toMatchObject({ State: 'Running', SchedulerStopTime: 0 });
    });
  });

  describe('StopCompShareInstance / StartCompShareInstance', () => {
    it('stops a Running instance and starts a Stopped one; the wrong state is refused', async () => {
      const [id] = await seedInstances([{ name: 'a', gpuType: '4090' }]);
      expect((await sim.call('StartCompShareInstance', { UHostId: id })).body?.RetCode).not.toBe(0);
      const stopped = await sim.call('StopCompShareInstance', { UHostId: id });
      expect(stopped.body).toMatchObject({ RetCode: 0, UHostId: id });
      expect((await listInstances({ UHostIds: [id] })).UHostSet[0].State).toBe('Stopped');
      const again = await sim.call('StopCompShareInstance', { UHostId: id });
      expect(again.body?.RetCode).not.toBe(0);
      expect(again.body?.Message).toContain('Stopped');
      expect((await sim.call('StartCompShareInstance', { UHostId: id })).body?.RetCode).toBe(0);
      expect((await listInstances({ UHostIds: [id] })).UHostSet[0].State).toBe('Starting');
      await sim.advance(10);
      expect((await listInstances({ UHostIds: [id] })).UHostSet[0].State).toBe('Running');
    });
  });

  describe('GetCompShareInstancePrice', () => {
    const PRICE = { Zone: SIM_ZONE, GpuType: '4090', Gpu: 2, Cpu: 32, Memory: 131072, Disks: BOOT_DISK };

    it('prices every charge type when none is given, deterministically', async () => {
      const reply = await sim.call('GetCompShareInstancePrice', PRICE);
      const details = reply.body?.PriceDetails as Array<Record<string, unknown>>;
      expect(details.map((row) => row.ChargeType)).toEqual(['Year', 'Month', 'Day', 'Dynamic', 'Postpay', 'Spot']);
      for (const row of details) {
        expect(row).toEqual({
          ChargeType: expect.any(String),
          Instance: expect.any(Number),
          Disks: expect.any(Number),
          CompShareImage: expect.any(Number),
        });
      }
      expect((await sim.call('GetCompShareInstancePrice', PRICE)).body?.PriceDetails).toEqual(details);
    });

    it('prices one charge type, more GPUs costing more', async () => {
      const one = await sim.call('GetCompShareInstancePrice', { ...PRICE, Gpu: 1, ChargeType: 'Dynamic' });
      const two = await sim.call('GetCompShareInstancePrice', { ...PRICE, ChargeType: 'Dynamic' });
      expect(one.body?.PriceDetails).toHaveLength(1);
      expect(two.body?.PriceDetails[0].Instance).toBeGreaterThan(one.body?.PriceDetails[0].Instance);
    });
  });

  it('DescribeAvailableCompShareInstanceTypes lists each GPU type with its sizes', async () => {
    const reply = await sim.call('DescribeAvailableCompShareInstanceTypes', { Zone: SIM_ZONE });
    const types = reply.body?.AvailableInstanceTypes as Array<Record<string, any>>;
    expect(types.map((type) => type.Name).sort()).toEqual(['4090', '5090', 'A100']);
    const a100 = types.find((type) => type.Name === 'A100');
    expect(a100?.Status).toBe('SoldOut');
    expect(types.find((type) => type.Name === '4090')?.MachineSizes[0]).toEqual({
      Gpu: 1,
      Collection: [{ Cpu: 16, Memory: [64] }],
    });
  });
});
