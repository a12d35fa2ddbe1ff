import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { rowMatches } from './capacity.js';
import { faultSpecSchema } from './faults.js';
import { sendJson } from './http.js';
import { toUHostRow } from './instances.js';
import { capacityEntrySchema, describeIssue, instanceSpecSchema, rowPatchSchema, settingsSchema } from './scenario.js';
import type { SimState } from './state.js';

/** Where the control API lives; everything else is the simulated gateway. */
export const CONTROL_PREFIX = '/__sim/';

/** A control request the simulator refuses, with the HTTP status to answer. */
class ControlError extends Error {
  override readonly name = 'ControlError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface ControlReply {
  status: number;
  body: unknown;
}

type ControlRoute = (state: SimState, body: unknown) => ControlReply;

const capacityPatchSchema = capacityEntrySchema.extend({ rows: z.array(rowPatchSchema).min(1) });
const instancesSchema = z.strictObject({ instances: z.array(instanceSpecSchema).min(1) });
const clockSchema = z.strictObject({ advanceSeconds: z.number().nonnegative() });
const settingsPatchSchema = settingsSchema.partial();

const ok = (body: unknown = { ok: true }): ControlReply => ({ status: 200, body });

/** The control API: unsigned JSON in and out, for tests and demos to steer the simulator. */
const routes: Readonly<Record<string, ControlRoute>> = {
  'GET state': (state) =>
    ok({
      now: state.nowSeconds(),
      region: state.region,
      projects: state.projects,
      capacity: state.capacity.list(),
      instances: instanceRows(state),
      faults: state.faults.list(),
      settings: state.settings,
    }),
  'PUT capacity': (state, body) => {
    const { zone, gpuType, rows } = validate(capacityEntrySchema, body);
    state.addZone(zone);
    state.capacity.replace(zone, gpuType, rows);
    return ok(state.capacity.get(zone, gpuType));
  },
  'PATCH capacity': (state, body) => {
    const { zone, gpuType, rows } = validate(capacityPatchSchema, body);
    const entry = state.capacity.get(zone, gpuType);
    if (!entry) throw new ControlError(404, `no capacity for ${zone}/${gpuType}`);
    const unmatched = rows.findIndex((patch) => !entry.rows.some((row) => rowMatches(row, patch)));
    if (unmatched >= 0) throw new ControlError(400, `rows[${unmatched}]: matches no row of ${zone}/${gpuType}`);
    state.capacity.patch(entry, rows);
    return ok(entry);
  },
  'POST faults': (state, body) => ({ status: 201, body: state.faults.add(validate(faultSpecSchema, body)) }),
  'DELETE faults': (state) => {
    state.faults.clear();
    return ok();
  },
  'GET instances': (state) => ok({ instances: instanceRows(state) }),
  'POST instances': (state, body) => {
    const { instances } = validate(instancesSchema, body);
    instances.forEach((spec, index) => {
      if (spec.zone !== undefined && !state.hasZone(spec.zone)) {
        throw new ControlError(400, `instances[${index}].zone: unknown zone "${spec.zone}"`);
      }
      if (spec.uhostId !== undefined && state.instances.get(spec.uhostId)) {
        throw new ControlError(400, `instances[${index}].uhostId: "${spec.uhostId}" already exists`);
      }
    });
    const added = state.addInstances(instances);
    return { status: 201, body: { UHostIds: added.map((instance) => instance.uhostId) } };
  },
  'GET requests': (state) => ok({ requests: state.requests.list() }),
  'GET request-counts': (state) => ok({ counts: state.requests.counts() }),
  'DELETE requests': (state) => {
    state.requests.clear();
    return ok();
  },
  'GET settings': (state) => ok(state.settings),
  'PATCH settings': (state, body) => {
    Object.assign(state.settings, validate(settingsPatchSchema, body));
    return ok(state.settings);
  },
  'POST clock': (state, body) => {
    state.advance(validate(clockSchema, body).advanceSeconds);
    return ok({ now: state.nowSeconds() });
  },
};

/** Serves one control request (`path` starts with CONTROL_PREFIX). */
export function serveControl(
  state: SimState,
  method: string,
  path: string,
  body: string,
  response: ServerResponse,
): void {
  const route = routes[`${method} ${path.slice(CONTROL_PREFIX.length)}`];
  if (!route) {
    sendJson(response, 404, { error: `no control endpoint ${method} ${path}` });
    return;
  }
  try {
    state.sync();
    const reply = route(state, parseJson(body));
    sendJson(response, reply.status, reply.body);
  } catch (error) {
    if (!(error instanceof ControlError)) throw error;
    sendJson(response, error.status, { error: error.message });
  }
}

function instanceRows(state: SimState): unknown[] {
  return state.instances.list().map((instance) => toUHostRow(instance, state.region));
}

function parseJson(body: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    throw new ControlError(400, 'body is not valid JSON');
  }
}

function validate<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (!result.success) throw new ControlError(400, describeIssue(result.error.issues));
  return result.data;
}
