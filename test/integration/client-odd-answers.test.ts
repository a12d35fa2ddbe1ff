import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_RESPONSE_BYTES, type ClientOptions, type CompshareClient } from '../../src/compshare/client.js';
import { checkResourceCapacity, getInstancePrice, getProjectList, listAllInstances } from '../../src/compshare/actions/index.js';
import { HttpStatusError, MalformedResponseError, NetworkError, RetCodeError, TimeoutError } from '../../src/compshare/errors.js';
import { MAX_CAPACITY_ROWS } from '../../src/compshare/actions/check-capacity.js';
import { CAPACITY_REQUEST_4090, loopbackClient } from '../helpers/client.js';
import { PriceBook } from '../../src/provision/prices.js';
import { systemClock } from '../../src/util/clock.js';

/**
 * Answers the simulator never gives, from a bare node:http server on 127.0.0.1: each test installs `answer`,
 * which gets the request's form params.
 */
type Answer = (params: URLSearchParams, response: ServerResponse) => void;

const UUID = 'x-ucloud-request-uuid';
const disks = [{ isBoot: true, type: 'CLOUD_SSD', size: 60 }];

let server: Server;
let answer: Answer;
let received: URLSearchParams[];
let client: CompshareClient;

beforeEach(async () => {
  received = [];
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const params = new URLSearchParams(body);
      received.push(params);
      answer(params, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = oddClient();
});
afterEach(async () => {
  await client.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function oddClient(overrides: Partial<ClientOptions> = {}): CompshareClient {
  return loopbackClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { projectId: 'org-odd', ...overrides });
}

const request = CAPACITY_REQUEST_4090;

function replyJson(response: ServerResponse, body: object, requestUuid = 'req-odd'): void {
  response.setHeader(UUID, requestUuid);
  response.end(JSON.stringify({ RetCode: 0, ...body }));
}

const failureOf = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);

describe('answer size cap', () => {
  it('refuses a declared Content-Length over the cap before reading, without a retry', async () => {
    answer = (_params, response) => {
      response.writeHead(200, { [UUID]: 'req-huge', 'content-length': String(MAX_RESPONSE_BYTES + 1) });
      response.write('{"RetCode": 0, '); // and never the rest: only the header can have refused it
    };
    const error = await failureOf(getProjectList(client));
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as Error).message).toMatch(/answer larger than 8 MiB.*req-huge/);
    expect(received).toHaveLength(1);
  });

  it('stops reading a streamed answer once it passes the cap, even a valid one, without a retry', async () => {
    answer = (_params, response) => {
      response.on('error', () => undefined); // the client hangs up mid-body, as it should
      response.setHeader(UUID, 'req-stream');
      response.write('{"RetCode": 0, "ProjectSet": [], "Padding": "');
      response.write('x'.repeat(MAX_RESPONSE_BYTES));
      response.end('"}');
    };
    const error = await failureOf(getProjectList(client));
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as Error).message).toMatch(/answer larger than 8 MiB.*req-stream/);
    expect(received).toHaveLength(1);
  });
});

describe('request ids on failures', () => {
  it('keeps the request id of a timeout that came after the headers', async () => {
    const quick = oddClient({ timeoutMs: 200, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    answer = (_params, response) => {
      response.writeHead(200, { [UUID]: 'req-slow' });
      response.write('{"RetCode": 0,'); // then silence
    };
    const error = await failureOf(getProjectList(quick));
    await quick.close();
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).requestUuid).toBe('req-slow');
    expect((error as Error).message).toMatch(/req-slow/);
  });

  it('keeps the request id of a connection that broke after the headers', async () => {
    const once = oddClient({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    answer = (_params, response) => {
      response.writeHead(200, { [UUID]: 'req-cut' });
      response.write('{"RetCode": 0,', () => response.socket?.destroy());
    };
    const error = await failureOf(getProjectList(once));
    await once.close();
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).requestUuid).toBe('req-cut');
  });

  it("names GetProjectList's request when the account has no project", async () => {
    const discovering = oddClient({ projectId: undefined });
    answer = (_params, response) => replyJson(response, { ProjectSet: [] }, 'req-no-project');
    const error = await failureOf(discovering.projectId());
    await discovering.close();
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as MalformedResponseError).requestUuid).toBe('req-no-project');
    expect((error as Error).message).toMatch(/no project/);
  });
});

describe('answer shapes', () => {
  const host = (index: number, times: Record<string, number> = {}) => ({ UHostId: `uhost-${index}`, Name: `box-${index}`, ...times });

  it('pages on while pages are full when TotalCount is left out', async () => {
    answer = (params, response) => {
      const offset = Number(params.get('Offset'));
      const count = Math.max(0, Math.min(Number(params.get('Limit')), 250 - offset));
      replyJson(response, { UHostSet: Array.from({ length: count }, (_, index) => host(offset + index)) });
    };
    const all = await listAllInstances(client);
    expect(all.map((instance) => instance.id)).toEqual(Array.from({ length: 250 }, (_, index) => `uhost-${index}`));
    expect(received.map((params) => params.get('Offset'))).toEqual(['0', '100', '200']);
  });

  it('reads the older names StopSchedulerTime and PriceDetail when they are the only ones', async () => {
    const priceRow = { ChargeType: 'Dynamic', Instance: 2, Disks: 0.5, CompShareImage: 0 };
    answer = (params, response) =>
      replyJson(response, params.get('Action') === 'DescribeCompShareInstance' ? { UHostSet: [host(1, { StopSchedulerTime: 1_800_000_000 })] } : { PriceDetail: [priceRow] });
    expect((await listAllInstances(client))[0]?.schedulerStopTime).toBe(1_800_000_000);
    const rows = await getInstancePrice(client, { zone: 'cn-wlcb-01', gpuType: '4090', gpu: 1, cpu: 16, memGb: 64, disks });
    expect(rows).toEqual([{ chargeType: 'Dynamic', instance: 2, disks: 0.5, image: 0, total: 2.5 }]);
  });

  it("prefers the contract's SchedulerStopTime and PriceDetails when both names come", async () => {
    const row = (instance: number) => ({ ChargeType: 'Dynamic', Instance: instance });
    answer = (params, response) =>
      replyJson(
        response,
        params.get('Action') === 'DescribeCompShareInstance'
          ? { UHostSet: [host(1, { SchedulerStopTime: 1_800_000_000, StopSchedulerTime: 1_700_000_000 })] }
          : { PriceDetails: [row(3)], PriceDetail: [row(9)] },
      );
    expect((await listAllInstances(client))[0]?.schedulerStopTime).toBe(1_800_000_000);
    const rows = await getInstancePrice(client, { zone: 'cn-wlcb-01', gpuType: '4090', gpu: 1, cpu: 16, memGb: 64, disks });
    expect(rows.map((priced) => priced.instance)).toEqual([3]);
  });

  it('rejects a capacity answer without Specs, and accepts an empty Specs', async () => {
    answer = (_params, response) => replyJson(response, {}, 'req-no-specs');
    const error = await failureOf(checkResourceCapacity(client, request));
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as Error).message).toMatch(/Specs.*req-no-specs/);

    answer = (_params, response) => replyJson(response, { Specs: [] });
    expect((await checkResourceCapacity(client, request)).rows).toEqual([]);
  });
});

describe('hostile answers', () => {
  const row = (gpu: number | string, enough = true) => ({ Gpu: gpu, Cpu: 16, Mem: 64, ResourceEnough: enough });
  const capacityFailure = async (): Promise<Error> => (await failureOf(checkResourceCapacity(client, request))) as Error;

  it('treats a redirect as an HTTP error, not as capacity, and does not retry it', async () => {
    answer = (_params, response) => {
      response.writeHead(302, { location: 'http://127.0.0.1:1/login', [UUID]: 'req-redirect' });
      response.end(JSON.stringify({ RetCode: 0, Specs: [row(1)] }));
    };
    const error = await capacityFailure();
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(302);
    expect(received).toHaveLength(1);
  });

  it.each([
    ['with its length declared', true],
    ['in chunks', false],
  ])('reads an answer sent %s byte for byte: a leading byte-order mark makes it no JSON either way', async (_how, declared) => {
    const body = `\uFEFF${JSON.stringify({ RetCode: 0, Specs: [row(1)] })}`;
    answer = (_params, response) => {
      // node:http declares the length of a body given whole to end(); one written first goes out chunked.
      if (declared) response.end(body);
      else {
        response.write(body);
        response.end();
      }
    };
    const error = await capacityFailure();
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error.message).toContain('body is not JSON');
  });

  it('cuts a huge API message and strips its line breaks and escape sequences', async () => {
    const forged = '\n{"level":50,"msg":"forged"}\r\n\u001b[31mred\u001b[0m\u2028';
    answer = (_params, response) => response.end(JSON.stringify({ RetCode: 230, Message: `${forged}${'x'.repeat(1_000_000)}` }));
    const error = await capacityFailure();
    expect(error).toBeInstanceOf(RetCodeError);
    expect(error.message.length).toBeLessThan(500);
    expect(error.message).not.toMatch(/[\u0000-\u001f\u2028]/);
    expect(error.message).toContain('{"level":50,"msg":"forged"} red');
    expect(error.message).toMatch(/x…$/);
  });

  it('strips control characters from the excerpt of a body that is not JSON, and from a long request id', async () => {
    answer = (_params, response) => {
      response.setHeader(UUID, `req-${'u'.repeat(5_000)}`);
      response.end('<html>\u001b]0;pwned\u0007\nnot json</html>');
    };
    const error = await capacityFailure();
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error.message).toContain('body is not JSON: "<html> not json</html>"');
    expect((error as MalformedResponseError).requestUuid!.length).toBeLessThan(150);
  });

  it.each([
    ['a negative size', [row(-1)], /Specs\[0\]\.Gpu/],
    ['a zero size', [row(0)], /Specs\[0\]\.Gpu/],
    ['a fractional size', [row('1.5')], /Specs\[0\]\.Gpu/],
    ['more than the most rows one answer may hold', Array.from({ length: MAX_CAPACITY_ROWS + 1 }, (_, i) => row(i + 1)), /more than 1000 rows/],
    ['two rows for one combination that disagree', [row(1, true), row(2), row(1, false)], /conflicting ResourceEnough.*1\/16\/64/],
  ])('refuses %s as malformed', async (_what, Specs, detail) => {
    answer = (_params, response) => replyJson(response, { Specs });
    const error = await capacityFailure();
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error.message).toMatch(detail);
  });

  it('merges two rows for one combination that agree', async () => {
    answer = (_params, response) => replyJson(response, { Specs: [row(1), row(2, false), row(1)] });
    const { rows } = await checkResourceCapacity(client, request);
    expect(rows).toEqual([
      { gpu: 1, cpu: 16, mem: 64, resourceEnough: true },
      { gpu: 2, cpu: 16, mem: 64, resourceEnough: false },
    ]);
  });
});

describe('prices a provisioner would act on', () => {
  const priced = { zone: 'cn-wlcb-01', gpuType: '4090', gpu: 1, cpu: 16, memGb: 64, imageId: 'img', machineType: 'G', chargeType: 'Dynamic' as const, disks };

  it.each([
    ['zero', 0],
    ['negative', -1.5],
  ])('refuses a %s price: it would pass every price limit', async (_what, instance) => {
    answer = (_params, response) => replyJson(response, { PriceDetails: [{ ChargeType: 'Dynamic', Instance: instance }] });
    const prices = new PriceBook(client, systemClock);
    await expect(prices.quote(priced)).rejects.toThrow(/cannot be a price/);
    expect(prices.cached(priced)).toBeUndefined();
  });

  it('keeps a plausible price and answers from it without asking again', async () => {
    answer = (_params, response) => replyJson(response, { PriceDetails: [{ ChargeType: 'Dynamic', Instance: 1.88, Disks: 0.02 }] });
    const prices = new PriceBook(client, systemClock);
    expect((await prices.quote(priced)).hourly).toBeCloseTo(1.9);
    await prices.quote(priced);
    expect(received.filter((params) => params.get('Action') === 'GetCompShareInstancePrice')).toHaveLength(1);
  });
});
