import { flattenParams, formBody, type Params } from '../../src/compshare/encode.js';
import { signParams } from '../../src/compshare/sign.js';
import type { FaultSpec } from '../../src/sim/faults.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/sim/server.js';

export const SIM_PUBLIC_KEY = 'sim-public-key';
export const SIM_PRIVATE_KEY = 'sim-private-key';
/** The default scenario's region and zone. */
export const SIM_REGION = 'cn-wlcb';
export const SIM_ZONE = 'cn-wlcb-01';

/** Replies are whatever the server sent; tests assert on their shape. */
type Json = Record<string, any>;

/** A gateway reply; `body` is undefined when the body was not JSON. */
export interface ApiReply {
  status: number;
  requestUuid: string | null;
  text: string;
  body: Json | undefined;
}

export interface CallOptions {
  /** form (what the SDKs send, default), json (nested params, unflattened), query (GET with a query string). */
  encoding?: 'form' | 'json' | 'query';
  /** Send this public key instead of the simulator's. */
  publicKey?: string;
  /** Sign with this private key instead of the simulator's. */
  privateKey?: string;
  /** Abort the request after this long (for hang faults). */
  timeoutMs?: number;
}

/** A simulator on 127.0.0.1:0 plus signed-request and control-API helpers; requests are signed with its keys. */
export interface TestSim {
  url: string;
  simulator: RunningSimulator;
  /** A signed request; `Region` defaults to the simulator's (pass `Region: undefined` to leave it out). */
  call(action: string, params?: Params, options?: CallOptions): Promise<ApiReply>;
  /** Any control API call; throws on a non-2xx answer unless `allowError`. */
  control(method: string, path: string, body?: unknown, allowError?: boolean): Promise<{ status: number; body: Json }>;
  advance(seconds: number): Promise<void>;
  addFault(spec: Partial<FaultSpec> & Pick<FaultSpec, 'kind'>): Promise<void>;
  /** The request log (GET /__sim/requests), oldest first; bounded to the newest 10,000 entries. */
  requests(): Promise<Json[]>;
  /** Requests received per Action since start or DELETE /__sim/requests, unbounded by the log's size. */
  requestCounts(): Promise<Record<string, number>>;
  /** Every instance the simulator holds as wire rows, including ones a listing lag still hides from Describe. */
  instances(): Promise<Json[]>;
  close(): Promise<void>;
}

export async function startTestSim(options: Partial<SimulatorOptions> = {}): Promise<TestSim> {
  const simOptions: SimulatorOptions = { publicKey: SIM_PUBLIC_KEY, privateKey: SIM_PRIVATE_KEY, ...options };
  const simulator = await startSimulator(simOptions);
  const { url } = simulator;

  const control: TestSim['control'] = async (method, path, body, allowError = false) => {
    const response = await fetch(`${url}/__sim/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const reply = { status: response.status, body: (await response.json()) as Json };
    if (!allowError && !response.ok) {
      throw new Error(`${method} /__sim/${path}: ${response.status} ${JSON.stringify(reply.body)}`);
    }
    return reply;
  };

  return {
    url,
    simulator,
    control,
    call: (action, params = {}, callOptions = {}) =>
      call(url, action, params, { publicKey: simOptions.publicKey, privateKey: simOptions.privateKey, ...callOptions }),
    advance: async (seconds) => {
      await control('POST', 'clock', { advanceSeconds: seconds });
    },
    addFault: async (spec) => {
      await control('POST', 'faults', spec);
    },
    requests: async () => (await control('GET', 'requests')).body.requests as Json[],
    requestCounts: async () => (await control('GET', 'request-counts')).body.counts as Record<string, number>,
    instances: async () => (await control('GET', 'instances')).body.instances as Json[],
    close: () => simulator.close(),
  };
}

async function call(url: string, action: string, params: Params, options: CallOptions): Promise<ApiReply> {
  const nested: Params = { Action: action, Region: SIM_REGION, ...params };
  const signed = signParams(flattenParams(nested), options.publicKey ?? '', options.privateKey ?? '');
  const signal = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
  const encoding = options.encoding ?? 'form';
  const response =
    encoding === 'query'
      ? await fetch(`${url}/?${formBody(signed)}`, { signal })
      : await fetch(`${url}/`, {
          method: 'POST',
          signal,
          headers: { 'content-type': encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded' },
          body:
            encoding === 'json'
              ? JSON.stringify({ ...nested, PublicKey: signed.PublicKey, Signature: signed.Signature })
              : formBody(signed),
        });
  const text = await response.text();
  return {
    status: response.status,
    requestUuid: response.headers.get('x-ucloud-request-uuid'),
    text,
    body: parseOrUndefined(text),
  };
}

function parseOrUndefined(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

/** Replaces the simulator's 4090 rows in its zone; each row is `[gpu, cpu, mem GB, enough]`. */
export async function put4090Rows(sim: TestSim, rows: ReadonlyArray<readonly [number, number, number, boolean]>): Promise<void> {
  await sim.control('PUT', 'capacity', {
    zone: SIM_ZONE,
    gpuType: '4090',
    rows: rows.map(([gpu, cpu, mem, enough]) => ({ gpu, cpu, mem, enough })),
  });
}

/** The wire params of a CheckCompShareResourceCapacity for 4090s in the simulator's zone, as an SDK sends them. */
export const CHECK_4090_PARAMS = {
  Zone: SIM_ZONE,
  GpuType: '4090',
  MachineType: 'G',
  MinimalCpuPlatform: 'Auto',
  CompShareImageId: 'compshareImage-xxxx',
  ChargeType: 'Dynamic',
  Disks: [{ IsBoot: true, Type: 'CLOUD_SSD', Size: 60 }],
};

/** The CreateCompShareInstance requests the simulator received (log entries with their params), oldest first. */
export async function createRequests(sim: TestSim): Promise<Json[]> {
  return (await sim.requests()).filter((entry) => entry.action === 'CreateCompShareInstance');
}
