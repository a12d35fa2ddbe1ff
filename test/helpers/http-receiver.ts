import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver saw it. */
export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What to answer, after `delayMs` if given (a slow far end); `undefined` leaves the request hanging (one that never answers). */
export type Reply = { status: number; body: string | object; delayMs?: number } | undefined;

export interface HttpReceiver {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  requests: ReceivedRequest[];
  /** Answers every following request this way. */
  reply(replier: (request: ReceivedRequest) => Reply): void;
  close(): Promise<void>;
}

/**
 * An HTTP server on 127.0.0.1 that records every request and answers as told (200 `{}` until told otherwise); on a
 * free port unless given one (a receiver brought back where a closed one was, so that its senders find it again).
 */
export async function startHttpReceiver(replier: (request: ReceivedRequest) => Reply = () => ({ status: 200, body: {} }), port = 0): Promise<HttpReceiver> {
  let current = replier;
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      requests.push(request);
      const reply = current(request);
      if (reply === undefined) return;
      const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      const answer = () => {
        if (!res.destroyed) res.writeHead(reply.status, { 'content-type': 'application/json' }).end(body);
      };
      if (reply.delayMs === undefined) answer();
      else setTimeout(answer, reply.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${address.port}`,
    requests,
    reply: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bound once, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
