import { randomUUID } from 'node:crypto';
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
    case 'body':
      send(response, fault.status, fault.contentType ?? 'application/json', fault.body ?? '');
      recordAnswer(entry, fault.status, null);
      return true;
    case 'huge-body':
      recordAnswer(entry, 200, null);
      await sendHuge(response, action, fault, closing);
      return true;
    case 'drip':
      // Carried out at once, like a real answer a slow link then trickles back.
      const answer = carryOut();
      recordAnswer(entry, 200, answer.retCode);
      await drip(response, JSON.stringify(answer.body), fault.ms, closing);
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

/** How much of a huge answer is written at a time: the socket's pace, not the answer's size, bounds what is buffered. */
const HUGE_CHUNK_BYTES = 64 * 1024;

/**
 * An answer that starts like a valid envelope and then pads one string field for `bytes` in all, or without end
 * until the client hangs up (or the simulator closes). Written as fast as the client reads and no faster.
 */
async function sendHuge(response: ServerResponse, action: string, fault: Fault, closing: AbortSignal): Promise<void> {
  const head = `{"Action": "${action}Response", "RetCode": 0, "Padding": "`;
  const tail = '"}';
  const headers: Record<string, string | number> = { 'Content-Type': 'application/json', 'X-UCLOUD-REQUEST-UUID': randomUUID() };
  if (fault.declareLength) headers['Content-Length'] = fault.bytes!;
  response.writeHead(200, headers);
  let left = fault.bytes === undefined ? Infinity : Math.max(0, fault.bytes - head.length - tail.length);
  const chunk = Buffer.alloc(HUGE_CHUNK_BYTES, 'x');
  response.write(head);
  while (left > 0 && !response.destroyed && !closing.aborted) {
    const size = Math.min(left, HUGE_CHUNK_BYTES);
    left -= size;
    if (!response.write(size === HUGE_CHUNK_BYTES ? chunk : chunk.subarray(0, size))) await drained(response, closing);
  }
  if (!response.destroyed) response.end(left === 0 ? tail : undefined);
}

/** Sends `body` one byte every `ms`, its length declared up front, until done, the client gone or the simulator closed. */
async function drip(response: ServerResponse, body: string, ms: number, closing: AbortSignal): Promise<void> {
  const bytes = Buffer.from(body, 'utf8');
  response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': bytes.length, 'X-UCLOUD-REQUEST-UUID': randomUUID() });
  response.flushHeaders();
  for (let index = 0; index < bytes.length; index++) {
    if (response.destroyed || !(await waited(ms, closing))) return;
    response.write(bytes.subarray(index, index + 1));
  }
  response.end();
}

/** Resolves once `response` can take more, or it closed, or the simulator did. */
function drained(response: ServerResponse, closing: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done).off('close', done);
      closing.removeEventListener('abort', done);
      resolve();
    };
    response.on('drain', done).on('close', done);
    closing.addEventListener('abort', done);
  });
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
