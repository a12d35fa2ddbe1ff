import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setMaxListeners } from 'node:events';
import { CONTROL_PREFIX, serveControl } from './control.js';
import { serveGateway, type GatewayContext } from './gateway.js';
import { BodyTooLargeError, pathOf, readBody, sendJson } from './http.js';
import { defaultScenario, type Scenario } from './scenario.js';
import { SimState } from './state.js';

/** How to start a simulator. */
export interface SimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** The only key pair the simulated gateway accepts. */
  publicKey: string;
  privateKey: string;
  /** Default: defaultScenario(). */
  scenario?: Scenario;
  /** Makes capacity follow a reproducible random walk (and fault rates reproducible). */
  seed?: number;
  /** The wall clock in epoch ms; the sim clock is this plus what POST /__sim/clock advanced. */
  now?: () => number;
  /** Serves HTTPS with this PEM key and certificate instead of plain HTTP, for measuring the client over TLS. */
  tls?: { key: string | Buffer; cert: string | Buffer } | undefined;
}

/** A listening simulator. */
export interface RunningSimulator {
  /** The base URL to use as the API endpoint, e.g. `http://127.0.0.1:43121` (`https://` with `tls`). */
  url: string;
  /** The in-memory state, for in-process callers (the demo); remote callers use the control API. */
  state: SimState;
  /** Stops listening and drops every connection, hung ones included. */
  close(): Promise<void>;
}

/** Starts the Compshare simulator: the gateway protocol at `/`, the control API under `/__sim/`. */
export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const state = new SimState(options.scenario ?? defaultScenario(), {
    now: options.now ?? Date.now,
    seed: options.seed,
  });
  const closing = new AbortController();
  // Every request held by a latency fault listens on it: hundreds at once under a load test are expected, not a leak.
  setMaxListeners(0, closing.signal);
  const context: GatewayContext = {
    state,
    credentials: { publicKey: options.publicKey, privateKey: options.privateKey },
    closing: closing.signal,
  };
  const listener: RequestListener = (request, response) => {
    void serve(context, request, response);
  };
  const server: Server = options.tls ? createTlsServer(options.tls, listener) : createServer(listener);
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, host, options.port ?? 0);
  return {
    url: `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    state,
    close: async () => {
      closing.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

async function serve(context: GatewayContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  try {
    const body = await readBody(request);
    const path = pathOf(request);
    if (path.startsWith(CONTROL_PREFIX)) {
      serveControl(context.state, request.method ?? 'GET', path, body, response);
    } else {
      await serveGateway(context, request, response, body);
    }
  } catch (error) {
    // Never leave a client waiting on a bug; the message is for whoever reads the simulator's answer.
    const status = error instanceof BodyTooLargeError ? 413 : 500;
    const message = error instanceof Error ? error.message : String(error);
    if (!response.headersSent) sendJson(response, status, { error: message });
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
