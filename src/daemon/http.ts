import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/schema.js';
import type { HistoryStore } from '../store/history-store.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../log.js';
import { eventRows, historyRows, QueryError } from './api.js';
import { carriesToken } from './http-auth.js';
import type { DaemonMetrics } from './metrics.js';
import { stateView, type DaemonState } from './state-view.js';
import { renderStatusPage } from './status-page.js';
import { splitListen } from './listen.js';

/** What the server reads from the daemon; every member is read per request, so a reload shows at once. */
export interface DaemonView {
  store: HistoryStore;
  /** The config in force (it changes on reload). */
  config(): Config;
  /** True once the store is open and the jobs are scheduled. */
  ready(): boolean;
  /** When the daemon started: watches not yet polled are late only from then. */
  startedAt: number;
  metrics: DaemonMetrics;
  clock: Clock;
  /** The last poll of a watch this process saw, if it tracks them. */
  lastPollAt?: (watch: string) => number | undefined;
}

export interface HttpServerOptions {
  /** `host:port`; port 0 picks a free one (tests). */
  listen: string;
  token?: string | undefined;
  view: DaemonView;
  log: Logger;
}

export interface RunningHttpServer {
  url: string;
  close(): Promise<void>;
}

/** Request bounds: nothing here needs a long URL, a body, or a slow client. */
export const HTTP_LIMITS = { urlChars: 2_048, headerBytes: 8_192, requestTimeoutMs: 10_000, headersTimeoutMs: 5_000, connections: 64 } as const;

/** Paths anyone may ask without the token: a load balancer or systemd probe has none. */
const OPEN_PATHS = new Set(['/healthz']);

type Reply = { status: number; type: string; body: string };

/** `http.listen` cannot be bound (in use, not an address of this machine, a privileged port): one line to show. */
export class HttpListenError extends Error {
  override readonly name = 'HttpListenError';
  constructor(listen: string, cause: NodeJS.ErrnoException) {
    const why = cause.code === 'EADDRINUSE' ? 'the address is in use (another daemon?)' : cause.code === 'EADDRNOTAVAIL' ? 'not an address of this machine' : cause.code === 'EACCES' ? 'permission denied' : (cause.code ?? cause.message);
    super(`http.listen ${JSON.stringify(listen)}: cannot listen: ${why}`);
  }
}

/** Starts the health, metrics, JSON and status page server; resolves once it listens. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { host, port } = splitListen(options.listen);
  const server = createServer(
    { maxHeaderSize: HTTP_LIMITS.headerBytes, requestTimeout: HTTP_LIMITS.requestTimeoutMs, headersTimeout: HTTP_LIMITS.headersTimeoutMs },
    (request, response) => void handle(options, request, response),
  );
  server.maxConnections = HTTP_LIMITS.connections;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new HttpListenError(options.listen, error)));
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  options.log.info({ url }, 'http server listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(options: HttpServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  let reply: Reply;
  try {
    reply = await route(options, request);
  } catch (error) {
    if (error instanceof QueryError) reply = json(400, { error: error.message });
    else {
      options.log.error({ err: error, path: request.url?.slice(0, 200) }, 'http request failed');
      reply = json(500, { error: 'internal error; see the daemon log' });
    }
  }
  response.writeHead(reply.status, {
    'content-type': reply.type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // The page inlines its CSS and SVG and loads nothing: anything else is refused.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    // No body is ever read: a client that sent one gets the connection closed rather than reused.
    ...(request.headers['content-length'] || request.headers['transfer-encoding'] ? { connection: 'close' } : {}),
  });
  response.end(request.method === 'HEAD' ? undefined : reply.body);
}

async function route(options: HttpServerOptions, request: IncomingMessage): Promise<Reply> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return json(405, { error: 'only GET and HEAD' });
  const raw = request.url ?? '/';
  if (raw.length > HTTP_LIMITS.urlChars) return json(414, { error: `URL longer than ${HTTP_LIMITS.urlChars} characters` });
  const url = new URL(raw, 'http://localhost');
  if (options.token !== undefined && !OPEN_PATHS.has(url.pathname) && !carriesToken(request, url, options.token)) {
    return json(401, { error: 'token required: Authorization: Bearer <http.token> or ?token=' });
  }
  const { view } = options;
  const now = view.clock.now();
  const state = (): DaemonState => stateView({ store: view.store, config: view.config(), now, startedAt: view.startedAt, ...(view.lastPollAt ? { lastPollAt: view.lastPollAt } : {}) });
  switch (url.pathname) {
    case '/healthz': {
      const { blind, watches } = state();
      const late = watches.filter((watch) => blind.includes(watch.name)).map(({ name, lastOkAt, result, blind: isBlind, late: isLate }) => ({ name, lastOkAt, result, blind: isBlind, late: isLate }));
      return json(blind.length === 0 ? 200 : 503, { ok: blind.length === 0, blind: late });
    }
    case '/readyz':
      return view.ready() ? json(200, { ready: true }) : json(503, { ready: false });
    case '/metrics':
      return { status: 200, type: view.metrics.contentType, body: await view.metrics.scrape(state()) };
    case '/api/state':
      return json(200, state());
    case '/api/history':
      return json(200, historyRows(view.store, view.config(), url.searchParams, now));
    case '/api/events':
      return json(200, eventRows(view.store, url.searchParams, now));
    case '/':
      return { status: 200, type: 'text/html; charset=utf-8', body: renderStatusPage({ state: state(), store: view.store, config: view.config(), lang: url.searchParams.get('lang'), token: url.searchParams.get('token') }) };
    default:
      return json(404, { error: 'not found' });
  }
}

function json(status: number, body: unknown): Reply {
  return { status, type: 'application/json; charset=utf-8', body: JSON.stringify(body) };
}
