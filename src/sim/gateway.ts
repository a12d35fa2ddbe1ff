import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { Fault, FaultBook } from './faults.js';
import { send, sendJson, wireParams } from './http.js';
import { answerRequest, envelope, refusal, type Credentials, type ProtocolAnswer } from './protocol.js';
import { recordAnswer, type RequestLogEntry } from './request-log.js';
import { SimApiError } from './retcodes.js';
import type { SimState } from './state.js';

/** What a gateway request needs besides itself. */
export interface GatewayContext {
  state: SimState;
  credentials: Credentials;
  /** Aborted when the simulator closes, so a pending latency or lost-answer wait ends with it. */
  closing: AbortSignal;
}

/** Starts like a real answer and stops mid-document: a body no JSON parser accepts. */
const MALFORMED_BODY = '{"Action": "SimulatedResponse", "RetCode": 0, "Specs": [{"Gpu": 1, "Cpu"';

/** Serves one protocol request: logs it, applies a fault if one hits, else answers like the gateway. */
export async function serveGateway(
  context: GatewayContext,
  request: IncomingMessage,
  response: ServerResponse,
  body: string,
): Promise<void> {
  const { state } = context;
  let flat: Record<string, string> = {};
  let badBody: SimApiError | undefined;
  try {
    flat = wireParams(request, body);
  } catch (error) {
    if (!(error instanceof SimApiError)) throw error;
    badBody = error;
  }
  const action = flat.Action ?? '';
  const { Signature: _signature, ...logged } = flat;
  const fault = state.faults.take(action);
  const entry = state.requests.record({ time: state.nowSeconds(), action, params: logged, fault: fault?.kind ?? null });
  const carryOut = (): ProtocolAnswer =>
    badBody ? refusal(action, badBody) : answerRequest(state, context.credentials, flat);
  const faulted = { faults: state.faults, action, response, entry, carryOut, closing: context.closing };
  if (fault && (await answeredByFault(fault, faulted))) return;
  const answer = carryOut();
  sendJson(response, 200, answer.body);
  recordAnswer(entry, 200, answer.retCode);
}

/** A request a fault hit, with what applying the fault may need. */
interface FaultedRequest {
  faults: FaultBook;
  action: string;
  response: ServerResponse;
  entry: RequestLogEntry;
  /** Does what the request asks (a Create creates) and returns the answer it would get. */
  carryOut: () => ProtocolAnswer;
  closing: AbortSignal;
}

/** Applies a fault; false when the request should still get its normal answer (after a latency fault). */
async function answeredByFault(
  fault: Fault,
  { faults, action, response, entry, carryOut, closing }: FaultedRequest,
): Promise<boolean> {
  switch (fault.kind) {
    case 'latency':
      // When the simulator closes during the wait it has dropped the connection: nothing left to answer.
      return !(await waited(faults.delayMs(fault), closing));
    case 'lost-answer':
      // Carried out whether or not the client is still there, then never answered, like a reply lost on the way back.
      if (await waited(faults.delayMs(fault), closing)) entry.retCode = carryOut().retCode;
      return true;
    case 'hang':
      // Never answered: the client's timeout fires, or close() drops the connection.
      return true;
    case 'http':
      send(response, fault.status, 'text/plain', `simulated HTTP ${fault.status}`);
      recordAnswer(entry, fault.status, null);
      return true;
    case 'malformed':
      send(response, 200, 'application/json', MALFORMED_BODY);
      recordAnswer(entry, 200, null);
      return true;
    case 'retcode':
      const message = fault.message ?? `simulated RetCode ${fault.retCode}`;
      sendJson(response, 200, envelope(action, fault.retCode, { Message: message }));
      recordAnswer(entry, 200, fault.retCode);
      return true;
  }
}

/** Waits `ms` (at once when 0); false when the simulator closed first. */
async function waited(ms: number, closing: AbortSignal): Promise<boolean> {
  if (closing.aborted) return false;
  if (ms === 0) return true;
  try {
    await delay(ms, undefined, { signal: closing });
    return true;
  } catch {
    return false;
  }
}
