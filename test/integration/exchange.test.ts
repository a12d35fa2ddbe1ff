import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Pool } from 'undici';
import { DISCARD_BYTES, exchange, ExchangeFailure, type ExchangeOptions } from '../../src/compshare/exchange.js';

/** Each test installs `answer`; `sockets` holds the connection each request came on, in order. */
type Answer = (request: IncomingMessage, response: ServerResponse) => void;

let server: Server;
let answer: Answer;
let sockets: Socket[];
let pool: Pool;

beforeEach(async () => {
  sockets = [];
  server = createServer((request, response) => {
    sockets.push(request.socket);
    request.resume();
    request.on('end', () => answer(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 1 });
});
afterEach(async () => {
  await pool.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const OPTIONS: ExchangeOptions = { timeoutMs: 2_000, maxBodyBytes: 64 * 1024 };
const post = (options: Partial<ExchangeOptions> = {}) => exchange(pool, { method: 'POST', path: '/', body: 'a=1' }, { ...OPTIONS, ...options });
const failureOf = (promise: Promise<unknown>): Promise<ExchangeFailure> =>
  promise.then(
    () => {
      throw new Error('the exchange succeeded');
    },
    (error: unknown) => error as ExchangeFailure,
  );

describe('exchange', () => {
  it('reads a 2xx answer whole, the same bytes with a declared length or in chunks', async () => {
    const bytes = Buffer.from('\uFEFF{"Message":"优云智算"}', 'utf8');
    answer = (_request, response) => response.end(bytes);
    const declared = await post();
    answer = (_request, response) => {
      response.write(bytes.subarray(0, 5));
      setTimeout(() => response.end(bytes.subarray(5)), 10);
    };
    const chunked = await post();
    expect(declared.headers['content-length']).toBe(String(bytes.length));
    expect(chunked.headers['transfer-encoding']).toBe('chunked');
    expect(declared.body.equals(bytes)).toBe(true);
    expect(chunked.body.equals(bytes)).toBe(true);
  });

  it("drops an error answer's body and sends the next request on the same connection", async () => {
    answer = (_request, response) => {
      response.statusCode = 503;
      response.end('x'.repeat(4096));
    };
    const failed = await post();
    answer = (_request, response) => response.end('{}');
    const next = await post();
    expect(failed.statusCode).toBe(503);
    expect(failed.body.length).toBe(0);
    expect(next.body.toString()).toBe('{}');
    expect(sockets).toHaveLength(2);
    expect(sockets[1]).toBe(sockets[0]);
  });

  it('answers with the status of an error whose body is too large to drop, and closes its connection', async () => {
    answer = (_request, response) => {
      response.statusCode = 500;
      // Far more than is dropped, written as fast as the socket takes it and never ended.
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const more = () => {
        while (response.write(chunk));
      };
      response.on('drain', more);
      more();
    };
    const failed = await post();
    answer = (_request, response) => response.end('{}');
    const next = await post();
    expect(failed.statusCode).toBe(500);
    expect(DISCARD_BYTES).toBeLessThan(1024 * 1024);
    expect(next.body.toString()).toBe('{}');
    expect(sockets[1]).not.toBe(sockets[0]);
  });

  it('times out a request still queued behind a hung one, and never sends it', async () => {
    answer = () => {};
    const settled: string[] = [];
    const hung = failureOf(post({ timeoutMs: 1_000 })).finally(() => settled.push('hung'));
    const queued = await failureOf(post({ timeoutMs: 200 })).finally(() => settled.push('queued'));
    expect(queued.reason).toBe('timeout');
    expect(queued.headers).toBeUndefined();
    expect((await hung).reason).toBe('timeout');
    // Its own deadline, not the end of the one ahead of it.
    expect(settled).toEqual(['queued', 'hung']);
    expect(sockets).toHaveLength(1);
  });

  it('times out a body that drips past the deadline, keeping the headers that came', async () => {
    answer = (_request, response) => {
      response.setHeader('x-ucloud-request-uuid', 'req-drip');
      response.flushHeaders();
      const drip = setInterval(() => response.write('{'), 20);
      response.on('close', () => clearInterval(drip));
    };
    const failure = await failureOf(post({ timeoutMs: 300 }));
    expect(failure.reason).toBe('timeout');
    expect(failure.headers?.['x-ucloud-request-uuid']).toBe('req-drip');
  });

  it('refuses a 2xx body past the cap, whether its length is declared or it streams', async () => {
    answer = (_request, response) => response.end('x'.repeat(2_000));
    const declared = await failureOf(post({ maxBodyBytes: 1_000 }));
    answer = (_request, response) => {
      response.write('x'.repeat(600));
      setTimeout(() => response.end('x'.repeat(600)), 10);
    };
    const streamed = await failureOf(post({ maxBodyBytes: 1_000 }));
    expect([declared.reason, streamed.reason]).toEqual(['too-large', 'too-large']);
  });

  it('is a network failure, with its cause, when nothing listens', async () => {
    const port = (server.address() as AddressInfo).port;
    await pool.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    pool = new Pool(`http://127.0.0.1:${port}`);
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const failure = await failureOf(post());
    expect(failure.reason).toBe('network');
    expect((failure.cause as { code?: string }).code).toBe('ECONNREFUSED');
  });
});
