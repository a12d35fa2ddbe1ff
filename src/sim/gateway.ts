import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { Fault, FaultBook } from './faults.js';
import { send, sendJson, wireParams } from './http.js';
import { answerRequest, envelope, refusal, type Credentials } from './protocol.js';
import type { RequestLogEntry } from './request-log.js';
import { SimApiError } from './retcodes.js';
import type { SimState } from './state.js';

/** What a gateway request needs besides itself. */
export interface GatewayContext {
  state: SimState;
  credentials: Credentials;
  /** Aborted when the simulator closes, so a pending latency fault ends with it. */
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
  if (fault && (await answeredByFault(fault, state.faults, action, response, entry, context.closing))) return;
  const answer = badBody ? refusal(action, badBody) : answerRequest(state, context.credentials, flat);
  sendJson(response, 200, answer.body);
  entry.retCode = answer.retCode;
  entry.httpStatus = 200;
}

/** Applies a fault; false when the request should still get its normal answer (after a latency fault). */
async function answeredByFault(
  fault: Fault,
  faults: FaultBook,
  action: string,
  response: ServerResponse,
  entry: RequestLogEntry,
  closing: AbortSignal,
): Promise<boolean> {
  switch (fault.kind) {
    case 'latency':
      try {
        await delay(faults.delayMs(fault), undefined, { signal: closing });
      } catch {
        // The simulator is closing and has dropped the connection: nothing left to answer.
        return true;
      }
      return false;
    case 'hang':
      // Never answered: the client's timeout fires, or close() drops the connection.
      return true;
    case 'http':
      send(response, fault.status, 'text/plain', `simulated HTTP ${fault.status}`);
      entry.httpStatus = fault.status;
      return true;
    case 'malformed':
      send(response, 200, 'application/json', MALFORMED_BODY);
      entry.httpStatus = 200;
      return true;
    case 'retcode':
      const message = fault.message ?? `simulated RetCode ${fault.retCode}`;
      sendJson(response, 200, envelope(action, fault.retCode, { Message: message }));
      entry.retCode = fault.retCode;
      entry.httpStatus = 200;
      return true;
  }
}
