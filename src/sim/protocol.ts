import { computeSignature } from '../compshare/sign.js';
import { simActions } from './actions/index.js';
import { ParamReader } from './params.js';
import { RetCode, SimApiError, paramError } from './retcodes.js';
import type { SimState } from './state.js';

/** The one key pair the simulated gateway knows. */
export interface Credentials {
  publicKey: string;
  privateKey: string;
}

/** How the gateway answered one request. */
export interface ProtocolAnswer {
  retCode: number;
  body: Record<string, unknown>;
}

/** `{"Action": "<Action>Response", "RetCode": n, ...fields}`, the shape of every gateway answer. */
export function envelope(
  action: string,
  retCode: number,
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return { Action: `${action}Response`, RetCode: retCode, ...fields };
}

/** The envelope for a refusal. */
export function refusal(action: string, error: SimApiError): ProtocolAnswer {
  return { retCode: error.retCode, body: envelope(action, error.retCode, { Message: error.message }) };
}

/** Answers one request's flat params like the gateway: action and signature checks first, then the action. */
export function answerRequest(state: SimState, credentials: Credentials, flat: Record<string, string>): ProtocolAnswer {
  const action = flat.Action ?? '';
  try {
    state.sync();
    return { retCode: RetCode.OK, body: envelope(action, RetCode.OK, dispatch(state, credentials, flat)) };
  } catch (error) {
    if (error instanceof SimApiError) return refusal(action, error);
    throw error;
  }
}

function dispatch(state: SimState, credentials: Credentials, flat: Record<string, string>): Record<string, unknown> {
  const name = flat.Action;
  if (!name) throw new SimApiError(RetCode.MISSING_ACTION, 'Missing Action');
  authenticate(credentials, flat);
  const action = simActions.get(name);
  if (!action) throw new SimApiError(RetCode.UNKNOWN_ACTION, `Action [${name}] not found`);
  const params = new ParamReader(flat);
  if (action.scope === 'project') checkScope(state, params);
  return action.handle({ state, params });
}

function checkScope(state: SimState, params: ParamReader): void {
  const region = params.string('Region');
  if (region !== state.region) throw paramError('Region', `unknown region ${region}`);
  const projectId = params.optionalString('ProjectId');
  if (projectId !== undefined && !state.hasProject(projectId)) {
    throw new SimApiError(RetCode.UNKNOWN_PROJECT, `Project [${projectId}] does not exist`);
  }
}

/** The gateway's order: a signature must be present, the public key known, and the signature right. */
function authenticate(credentials: Credentials, flat: Record<string, string>): void {
  if (!flat.Signature) throw new SimApiError(RetCode.MISSING_SIGNATURE, 'Missing Signature');
  if (flat.PublicKey !== credentials.publicKey) throw new SimApiError(RetCode.UNKNOWN_USER, 'User does not exist');
  if (computeSignature(flat, credentials.privateKey) !== flat.Signature) {
    throw new SimApiError(RetCode.SIGNATURE_ERROR, 'Signature error');
  }
}
