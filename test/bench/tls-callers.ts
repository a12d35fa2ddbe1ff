import { request as httpsRequest } from 'node:https';
import { Pool } from 'undici';
import { CompshareClient } from '../../src/compshare/client.js';
import { flattenParams, formBody, type Params } from '../../src/compshare/encode.js';
import { signParams } from '../../src/compshare/sign.js';
import { CHECK_4090_PARAMS, SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, SIM_REGION } from '../helpers/sim.js';

/** The action every side of `call_latency_vs_python_sdk` sends, with the same params. */
export const ACTION = 'CheckCompShareResourceCapacity';
const PARAMS: Params = CHECK_4090_PARAMS;
const USER_AGENT = 'compshare-watch-bench';

/** One side of the comparison: sends one call and resolves once its answer is read and parsed. */
export interface Caller {
  call(): Promise<void>;
  close(): Promise<void>;
  /** Connections it opened, for a caller outside undici (whose connections the undici diagnostics channel counts). */
  connectionsOpened?(): number;
}

/** Where the callers send, and the self-signed certificate they trust (and nothing else). */
export interface Target {
  url: string;
  ca: string;
}

/**
 * The body the client sends for ACTION without a configured project, built the way CompshareClient.call builds it
 * (same key order, so the same bytes); the baselines sign it anew per call, as the client and the SDKs do.
 */
function signedBody(): string {
  return formBody(signParams(flattenParams({ Region: SIM_REGION, ProjectId: undefined, ...PARAMS, Action: ACTION }), SIM_PUBLIC_KEY, SIM_PRIVATE_KEY));
}

function headers(body: string): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': String(Buffer.byteLength(body)),
    'user-agent': USER_AGENT,
    'u-timestamp-ms': String(Date.now()),
  };
}

function checkAnswer(side: string, text: string): void {
  const retCode = (JSON.parse(text) as { RetCode?: unknown }).RetCode;
  if (retCode !== 0) throw new Error(`${side}: RetCode ${String(retCode)}`);
}

/** The project's client, as the daemon builds it (keep-alive pool, rate limit, retries, timeouts). */
export function projectClient(target: Target): Caller {
  const client = new CompshareClient({
    baseUrl: target.url,
    region: SIM_REGION,
    publicKey: SIM_PUBLIC_KEY,
    privateKey: SIM_PRIVATE_KEY,
    timeoutMs: 10_000,
    // The most the config allows; calls are paced (see the bench) so the limiter never queues one.
    maxRequestsPerSecond: 1_000,
    userAgent: USER_AGENT,
    ca: target.ca,
  });
  return {
    call: async () => {
      await client.call(ACTION, PARAMS, { withProject: 'if-configured' });
    },
    close: () => client.close(),
  };
}

/**
 * The stand-in for the official Python SDK's pattern: every call opens a new TLS connection (`agent: false`: no
 * keep-alive and no TLS session reuse, a full handshake each time) and closes it after the answer.
 */
export function newConnectionPerCall(target: Target): Caller {
  const { hostname, port } = new URL(target.url);
  let opened = 0;
  return {
    call: () =>
      new Promise((resolve, reject) => {
        const body = signedBody();
        const request = httpsRequest({ hostname, port, path: '/', method: 'POST', agent: false, ca: target.ca, headers: headers(body) }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            try {
              checkAnswer('new connection per call', Buffer.concat(chunks).toString('utf8'));
              resolve();
            } catch (error) {
              reject(error);
            }
          });
          response.on('error', reject);
        });
        request.on('socket', () => opened++);
        request.on('error', reject);
        request.end(body);
      }),
    close: async () => {},
    connectionsOpened: () => opened,
  };
}

/** The floor: a bare undici keep-alive pool sending the same request, with none of the client's machinery. */
export function bareUndiciPool(target: Target): Caller {
  const pool = new Pool(new URL(target.url).origin, { connections: 2, keepAliveTimeout: 30_000, connect: { ca: target.ca } });
  return {
    call: async () => {
      const body = signedBody();
      const response = await pool.request({ method: 'POST', path: '/', body, headers: headers(body) });
      checkAnswer('bare undici', await response.body.text());
    },
    close: () => pool.close(),
  };
}
