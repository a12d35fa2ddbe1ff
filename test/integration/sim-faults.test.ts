import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../helpers/sim.js';
import { waitFor } from '../helpers/wait.js';
import { FaultBook, faultSpecSchema, type Fault } from '../../src/sim/faults.js';

describe('simulator faults', () => {
  let sim: TestSim;
  beforeEach(async () => {
    sim = await startTestSim();
  });
  afterEach(async () => {
    await sim.close();
  });

  const projects = () => sim.call('GetProjectList');

  it('latency delays the normal answer of the next N requests', async () => {
    await sim.addFault({ kind: 'latency', ms: 150, count: 1 });
    const started = performance.now();
    const slow = await projects();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(slow.body?.RetCode).toBe(0);
    const fastStart = performance.now();
    await projects();
    expect(performance.now() - fastStart).toBeLessThan(140);
  });

  it('latency with maxMs draws each delay uniformly from ms to maxMs, reproducibly with a seed', async () => {
    const draws = async (seed: number) => {
      const seeded = await startTestSim({ seed });
      try {
        await seeded.addFault({ kind: 'latency', ms: 50, maxMs: 200 });
        const [fault] = (await seeded.control('GET', 'state')).body.faults as Fault[];
        expect(fault).toMatchObject({ kind: 'latency', ms: 50, maxMs: 200 });
        const { faults } = seeded.simulator.state;
        return Array.from({ length: 200 }, () => faults.delayMs(fault!));
      } finally {
        await seeded.close();
      }
    };
    const delays = await draws(7);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...delays)).toBeLessThanOrEqual(200);
    // Spread over the range, not stuck at one end.
    expect(delays.filter((ms) => ms < 125).length).toBeGreaterThan(50);
    expect(delays.filter((ms) => ms >= 125).length).toBeGreaterThan(50);
    expect(await draws(7)).toEqual(delays);
  });

  it('refuses a latency range whose maxMs is below ms', async () => {
    const reply = await sim.control('POST', 'faults', { kind: 'latency', ms: 200, maxMs: 50 }, true);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatch(/^maxMs:/);
  });

  it('http answers the status, with an untrusted body, then stops after count', async () => {
    await sim.addFault({ kind: 'http', status: 502, count: 2 });
    expect((await projects()).status).toBe(502);
    const second = await projects();
    expect(second.status).toBe(502);
    expect(second.requestUuid).toBeTruthy();
    expect((await projects()).status).toBe(200);
  });

  it('hang never answers; the client gives up, and the next request is served', async () => {
    await sim.addFault({ kind: 'hang', count: 1 });
    await expect(sim.call('GetProjectList', {}, { timeoutMs: 200 })).rejects.toThrow();
    expect((await projects()).body?.RetCode).toBe(0);
  });

  it('close() drops hung connections instead of waiting for them', async () => {
    await sim.addFault({ kind: 'hang' });
    const hung = sim.call('GetProjectList');
    const outcome = hung.then(
      () => 'answered',
      () => 'dropped',
    );
    await waitFor(async () => (await sim.requests()).length, (count) => count === 1, 'the hung request to arrive');
    await sim.close();
    expect(await outcome).toBe('dropped');
  });

  it('malformed answers HTTP 200 with a body that is not JSON', async () => {
    await sim.addFault({ kind: 'malformed', count: 1 });
    const reply = await projects();
    expect(reply.status).toBe(200);
    expect(reply.text.length).toBeGreaterThan(0);
    expect(reply.body).toBeUndefined();
    // The request log records the status actually sent, not the 503 an http fault would default to.
    expect((await sim.requests())[0]).toMatchObject({ httpStatus: 200, retCode: null });
    expect((await projects()).body?.RetCode).toBe(0);
  });

  it('retcode answers the envelope with that RetCode and message', async () => {
    await sim.addFault({ kind: 'retcode', retCode: 153, message: 'rate limited', count: 1 });
    const reply = await projects();
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ Action: 'GetProjectListResponse', RetCode: 153, Message: 'rate limited' });
    expect((await projects()).body?.RetCode).toBe(0);
  });

  it('only hits the named action, never the control API, and DELETE clears faults', async () => {
    await sim.addFault({ kind: 'retcode', retCode: 150, action: 'DescribeCompShareInstance' });
    expect((await projects()).body?.RetCode).toBe(0);
    expect((await sim.call('DescribeCompShareInstance')).body?.RetCode).toBe(150);
    expect((await sim.call('DescribeCompShareInstance')).body?.RetCode).toBe(150);
    expect((await sim.control('GET', 'state')).status).toBe(200);
    await sim.control('DELETE', 'faults');
    expect((await sim.call('DescribeCompShareInstance')).body?.RetCode).toBe(0);
  });

  it('rate 0 never hits; a seeded rate is reproducible', async () => {
    await sim.addFault({ kind: 'retcode', rate: 0 });
    expect((await projects()).body?.RetCode).toBe(0);
    const runs = await Promise.all([hitPattern(11), hitPattern(11)]);
    expect(runs[0]).toEqual(runs[1]);
    expect(runs[0]).toContain(true);
    expect(runs[0]).toContain(false);
  });

  it('body answers its text with the status and Content-Type given, then the normal answer', async () => {
    await sim.addFault({ kind: 'body', body: '<html><h1>502 Bad Gateway</h1></html>', contentType: 'text/html', count: 1 });
    const html = await fetch(`${sim.url}/`, { method: 'POST', body: 'Action=GetProjectList' });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('text/html');
    expect(await html.text()).toBe('<html><h1>502 Bad Gateway</h1></html>');
    await sim.addFault({ kind: 'body', body: '{"RetCode": "zero"}', status: 404, count: 1 });
    const odd = await projects();
    expect([odd.status, odd.body]).toEqual([404, { RetCode: 'zero' }]);
    expect((await projects()).body?.RetCode).toBe(0);
  });

  it('huge-body sends the bytes asked for, declared or chunked, starting like a valid envelope', async () => {
    await sim.addFault({ kind: 'huge-body', bytes: 300_000, declareLength: true, count: 1 });
    const declared = await projects();
    expect(declared.text).toHaveLength(300_000);
    expect(declared.body).toMatchObject({ Action: 'GetProjectListResponse', RetCode: 0 });
    await sim.addFault({ kind: 'huge-body', bytes: 200_000, count: 1 });
    const chunked = await fetch(`${sim.url}/`, { method: 'POST', body: 'Action=GetProjectList' });
    expect(chunked.headers.get('content-length')).toBeNull();
    expect((await chunked.text()).length).toBe(200_000);
  });

  it('an endless huge-body streams until the client hangs up, and the simulator serves on', async () => {
    await sim.addFault({ kind: 'huge-body', count: 1 });
    const endless = await fetch(`${sim.url}/`, { method: 'POST', body: 'Action=GetProjectList' });
    const reader = endless.body!.getReader();
    let received = 0;
    while (received < 20 * 1024 * 1024) received += (await reader.read()).value!.length;
    await reader.cancel();
    expect(received).toBeGreaterThanOrEqual(20 * 1024 * 1024);
    expect((await projects()).body?.RetCode).toBe(0);
  });

  it('drip carries out the request and trickles its answer in pieces, a byte every ms', async () => {
    await sim.addFault({ kind: 'drip', ms: 2, count: 1 });
    const dripped = await fetch(`${sim.url}/`, { method: 'POST', body: 'Action=GetProjectList' });
    const pieces: Uint8Array[] = [];
    for await (const piece of dripped.body!) pieces.push(piece);
    const text = Buffer.concat(pieces).toString('utf8');
    expect(JSON.parse(text)).toMatchObject({ Action: 'GetProjectListResponse' });
    // Read as it comes, a trickle arrives in many pieces; a whole answer would come in one.
    expect(pieces.length).toBeGreaterThan(1);
  });

  it('forMs makes a storm that lasts a time, however few requests come into it', () => {
    let nowMs = 5_000;
    const book = new FaultBook(() => 0, () => nowMs);
    book.add(faultSpecSchema.parse({ kind: 'retcode', retCode: 153, forMs: 2_000 }));
    expect(book.take('CheckCompShareResourceCapacity')?.retCode).toBe(153);
    nowMs = 6_999;
    expect(book.take('CheckCompShareResourceCapacity')?.retCode).toBe(153);
    nowMs = 7_000;
    expect(book.take('CheckCompShareResourceCapacity')).toBeUndefined();
    expect(book.list()).toEqual([]);
  });

  it('refuses a body fault without its text, and a declared length without bytes', async () => {
    const noBody = await sim.control('POST', 'faults', { kind: 'body' }, true);
    expect([noBody.status, noBody.body.error]).toEqual([400, expect.stringMatching(/^body:/)]);
    const noBytes = await sim.control('POST', 'faults', { kind: 'huge-body', declareLength: true }, true);
    expect([noBytes.status, noBytes.body.error]).toEqual([400, expect.stringMatching(/^declareLength:/)]);
    const okHttp = await sim.control('POST', 'faults', { kind: 'http', status: 200 }, true);
    expect([okHttp.status, okHttp.body.error]).toEqual([400, expect.stringMatching(/^status:/)]);
  });

  it('refuses an invalid fault with 400 naming the field', async () => {
    const reply = await sim.control('POST', 'faults', { kind: 'latency', rate: 2 }, true);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatch(/^rate:/);
  });
});

describe('request log', () => {
  it('records each protocol request: time, action, params without Signature, RetCode, status, fault', async () => {
    const sim = await startTestSim({ now: () => 1_800_000_000_000 });
    try {
      await sim.call('GetProjectList');
      await sim.call('GetProjectList', {}, { privateKey: 'wrong' });
      await sim.addFault({ kind: 'http', status: 503, count: 1 });
      await sim.call('DescribeCompShareInstance', { Limit: 5 });
      await sim.control('GET', 'state');
      const log = await sim.requests();
      expect(log).toEqual([
        {
          time: 1_800_000_000,
          receivedMs: expect.any(Number),
          answeredMs: expect.any(Number),
          action: 'GetProjectList',
          params: { Action: 'GetProjectList', Region: 'cn-wlcb', PublicKey: 'sim-public-key' },
          retCode: 0,
          httpStatus: 200,
          fault: null,
        },
        expect.objectContaining({ action: 'GetProjectList', retCode: 171, httpStatus: 200 }),
        expect.objectContaining({ action: 'DescribeCompShareInstance', retCode: null, httpStatus: 503, fault: 'http' }),
      ]);
      expect(log[2]?.params.Limit).toBe('5');
      await sim.control('DELETE', 'requests');
      expect(await sim.requests()).toEqual([]);
    } finally {
      await sim.close();
    }
  });
});

/** Which of 20 requests a 50% fault hits, on a simulator seeded with `seed`. */
async function hitPattern(seed: number): Promise<boolean[]> {
  const sim = await startTestSim({ seed });
  try {
    await sim.addFault({ kind: 'retcode', rate: 0.5 });
    const hits: boolean[] = [];
    for (let index = 0; index < 20; index += 1) hits.push((await sim.call('GetProjectList')).body?.RetCode !== 0);
    return hits;
  } finally {
    await sim.close();
  }
}
