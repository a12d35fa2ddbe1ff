import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Params } from '../../src/compshare/encode.js';
import { parseScenario } from '../../src/sim/scenario.js';
import { CHECK_4090_PARAMS, createRequests, startTestSim, type TestSim } from '../helpers/sim.js';
import { waitFor } from '../helpers/wait.js';

/** A Create of the 1 x 4090 row, which the default scenario has enough of. */
const CREATE = { ...CHECK_4090_PARAMS, GPU: 1, CPU: 16, Memory: 64 * 1024, Name: 'grab-a1b2c3' };

/** A frozen wall clock: only POST /__sim/clock moves sim time, so the listing lag is exact. */
const T0_MS = Date.UTC(2026, 0, 15, 8, 0, 0);

describe('simulator support for provisioning', () => {
  let sim: TestSim;
  beforeEach(async () => {
    sim = await startTestSim({ now: () => T0_MS });
  });
  afterEach(async () => {
    await sim.close();
  });

  async function listed(params: Params = {}): Promise<Array<Record<string, any>>> {
    const reply = await sim.call('DescribeCompShareInstance', params);
    expect(reply.body?.RetCode).toBe(0);
    expect(reply.body?.TotalCount).toBe(reply.body?.UHostSet.length);
    return reply.body?.UHostSet as Array<Record<string, any>>;
  }

  describe('lost-answer fault', () => {
    it('creates the instance but never answers: the client times out, the instance is listed by its name', async () => {
      await sim.addFault({ kind: 'lost-answer', action: 'CreateCompShareInstance', count: 1 });
      await expect(sim.call('CreateCompShareInstance', CREATE, { timeoutMs: 200 })).rejects.toThrow(/timeout|abort/i);
      const rows = await listed();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ Name: 'grab-a1b2c3', GPU: 1, CPU: 16, Memory: 65536, ChargeType: 'Dynamic' });
      const [entry] = await createRequests(sim);
      expect(entry).toMatchObject({ fault: 'lost-answer', retCode: 0, httpStatus: null, answeredMs: null });
      // The fault was used up: the next Create is answered.
      expect((await sim.call('CreateCompShareInstance', { ...CREATE, Name: 'grab-second' })).body?.RetCode).toBe(0);
    });

    it('logs the RetCode of a refused create it carried out, and creates nothing', async () => {
      await sim.control('PATCH', 'capacity', { zone: CREATE.Zone, gpuType: '4090', rows: [{ gpu: 1, enough: false }] });
      await sim.addFault({ kind: 'lost-answer', action: 'CreateCompShareInstance' });
      await expect(sim.call('CreateCompShareInstance', CREATE, { timeoutMs: 200 })).rejects.toThrow();
      expect((await createRequests(sim))[0]).toMatchObject({ fault: 'lost-answer', retCode: 226604 });
      expect(await sim.instances()).toEqual([]);
    });

    it('with ms, carries the request out that long after it arrived, though the client has already gone', async () => {
      await sim.addFault({ kind: 'lost-answer', action: 'CreateCompShareInstance', ms: 1000 });
      await expect(sim.call('CreateCompShareInstance', CREATE, { timeoutMs: 50 })).rejects.toThrow();
      expect((await createRequests(sim))[0]).toMatchObject({ fault: 'lost-answer', retCode: null });
      expect(await sim.instances()).toEqual([]);
      const created = await waitFor(() => sim.instances(), (rows) => rows.length === 1, 'the delayed create');
      expect(created[0]).toMatchObject({ Name: 'grab-a1b2c3' });
      expect((await createRequests(sim))[0]).toMatchObject({ retCode: 0, httpStatus: null });
    });

    it('defaults ms to 0 for a lost answer while latency keeps its 1000', async () => {
      await sim.addFault({ kind: 'lost-answer' });
      await sim.addFault({ kind: 'latency' });
      const faults = (await sim.control('GET', 'state')).body.faults as Array<Record<string, unknown>>;
      expect(faults.map((fault) => [fault.kind, fault.ms])).toEqual([
        ['lost-answer', 0],
        ['latency', 1000],
      ]);
    });
  });

  describe('listing lag', () => {
    it('hides a new instance from every listing, ids included, until the lag has passed; it exists meanwhile', async () => {
      await sim.control('PATCH', 'settings', { listingLagSeconds: 60 });
      await sim.control('POST', 'instances', { instances: [{ name: 'seeded', gpuType: '4090' }] });
      const reply = await sim.call('CreateCompShareInstance', CREATE);
      const [id] = reply.body?.UHostIds as string[];
      expect((await listed()).map((row) => row.Name)).toEqual(['seeded']);
      expect(await listed({ UHostIds: [id] })).toEqual([]);
      expect((await sim.instances()).map((row) => row.UHostId)).toContain(id);
      await sim.advance(10);
      // Still invisible, but there: its stop can be scheduled by id.
      const stopAt = sim.simulator.state.nowSeconds() + 3600;
      const scheduled = await sim.call('UpdateCompShareStopScheduler', {
        Zone: CREATE.Zone,
        UHostId: id,
        SchedulerStopTime: stopAt,
      });
      expect(scheduled.body?.RetCode).toBe(0);
      await sim.advance(49);
      expect(await listed({ UHostIds: [id] })).toEqual([]);
      await sim.advance(1);
      const [row] = await listed({ UHostIds: [id] });
      expect(row).toMatchObject({ UHostId: id, Name: 'grab-a1b2c3', State: 'Running', SchedulerStopTime: stopAt });
    });

    it('is read from a scenario and shown by GET /__sim/settings; a bad value is refused naming it', async () => {
      const lagged = await startTestSim({ scenario: parseScenario({ listingLagSeconds: 30 }, 'test') });
      try {
        expect((await lagged.control('GET', 'settings')).body).toEqual({ listingLagSeconds: 30 });
      } finally {
        await lagged.close();
      }
      expect(() => parseScenario({ listingLagSeconds: -1 }, 'test')).toThrow(/^scenario test: listingLagSeconds:/);
      const refused = await sim.control('PATCH', 'settings', { listingLagSeconds: 1.5 }, true);
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatch(/^listingLagSeconds:/);
      expect((await sim.control('PATCH', 'settings', { lag: 1 }, true)).status).toBe(400);
      expect((await sim.control('GET', 'settings')).body).toEqual({ listingLagSeconds: 0 });
    });
  });

  describe('Create validation', () => {
    it('refuses a Password that is not base64 with 230, without echoing it, and creates nothing', async () => {
      const reply = await sim.call('CreateCompShareInstance', { ...CREATE, Password: 'hunter2!' });
      expect(reply.body).toMatchObject({ RetCode: 230, Message: 'Params [Password] not available: expected base64' });
      expect(reply.text).not.toContain('hunter2');
      expect(await sim.instances()).toEqual([]);
      const accepted = await sim.call('CreateCompShareInstance', { ...CREATE, Password: 'aHVudGVyMiE=' });
      expect(accepted.body?.RetCode).toBe(0);
    });

    it('keeps the Name verbatim and buys a Month when ChargeType is left out', async () => {
      const { ChargeType: _omitted, ...noChargeType } = CREATE;
      const name = 'grab- 训练 #1 ';
      expect((await sim.call('CreateCompShareInstance', { ...noChargeType, Name: name })).body?.RetCode).toBe(0);
      expect(await listed()).toMatchObject([{ Name: name, ChargeType: 'Month' }]);
    });
  });

  describe('request reads', () => {
    it('counts requests per action and times each answer on the wall clock', async () => {
      await sim.call('CreateCompShareInstance', CREATE);
      await sim.call('CreateCompShareInstance', { ...CREATE, Name: 'grab-2' });
      await sim.call('DescribeCompShareInstance');
      expect(await sim.requestCounts()).toEqual({ CreateCompShareInstance: 2, DescribeCompShareInstance: 1 });
      const [first] = await createRequests(sim);
      expect(first?.params.Name).toBe('grab-a1b2c3');
      expect(first?.answeredMs).toBeGreaterThanOrEqual(first?.receivedMs);
      await sim.control('DELETE', 'requests');
      expect(await sim.requestCounts()).toEqual({});
    });

    it('keeps counting after the log has dropped its oldest entries', async () => {
      const log = sim.simulator.state.requests;
      for (let index = 0; index < 10_001; index += 1) {
        log.record({ time: 0, action: 'CheckCompShareResourceCapacity', params: {}, fault: null });
      }
      expect((await sim.requests()).length).toBe(10_000);
      expect(await sim.requestCounts()).toEqual({ CheckCompShareResourceCapacity: 10_001 });
    });
  });
});
