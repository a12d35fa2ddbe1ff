import { printable } from '../util/printable.js';

/** The most of one far-end text (an API message, a body excerpt) that goes into an error: errors are stored and logged per poll. */
export const MAX_FAR_END_CHARS = 300;

/** Far-end text made safe to print and store: one line, no controls or escapes, at most MAX_FAR_END_CHARS. */
export function farEndText(text: string, maxChars = MAX_FAR_END_CHARS): string {
  return printable(text, maxChars);
}

/** Every failure of a Compshare API call, so callers can record it as one kind of error sample. */
export abstract class CompshareError extends Error {
  /** Short machine-readable kind, stored with failed polls. */
  abstract readonly kind: 'retcode' | 'http' | 'network' | 'timeout' | 'malformed';
  constructor(
    message: string,
    readonly action: string,
    readonly requestUuid: string | undefined,
  ) {
    super(requestUuid ? `${message} (request ${requestUuid})` : message);
  }
}

/** The gateway answered with a non-zero RetCode; `apiMessage` is its Message, cleaned by farEndText. */
export class RetCodeError extends CompshareError {
  override readonly name = 'RetCodeError';
  readonly kind = 'retcode';
  readonly apiMessage: string;
  constructor(
    action: string,
    readonly retCode: number,
    apiMessage: string,
    requestUuid: string | undefined,
  ) {
    const message = farEndText(apiMessage);
    super(`${action} failed: RetCode ${retCode}: ${message || 'no message'}${hintFor(retCode)}`, action, requestUuid);
    this.apiMessage = message;
  }
}

/** The gateway answered with an HTTP status other than 2xx (redirects included); its body is not trusted. */
export class HttpStatusError extends CompshareError {
  override readonly name = 'HttpStatusError';
  readonly kind = 'http';
  constructor(
    action: string,
    readonly status: number,
    requestUuid: string | undefined,
  ) {
    super(`${action} failed: HTTP ${status}`, action, requestUuid);
  }
}

/**
 * The connection failed (refused, reset, DNS) before a complete answer arrived. When it broke after the headers,
 * `requestUuid` names the request the gateway saw.
 */
export class NetworkError extends CompshareError {
  override readonly name = 'NetworkError';
  readonly kind = 'network';
  constructor(action: string, detail: string, requestUuid?: string) {
    super(`${action} failed: network error: ${farEndText(detail)}`, action, requestUuid);
  }
}

/**
 * The call came after `close()`, so nothing was sent; retrying cannot help. Its kind is `network` because, to
 * whoever records the failure, the API was as unreachable as behind a refused connection.
 */
export class ClientClosedError extends CompshareError {
  override readonly name = 'ClientClosedError';
  readonly kind = 'network';
  constructor(action: string) {
    super(`${action} not sent: the client is closed`, action, undefined);
  }
}

/** No complete answer within the configured timeout; `requestUuid` is known when the headers had arrived. */
export class TimeoutError extends CompshareError {
  override readonly name = 'TimeoutError';
  readonly kind = 'timeout';
  constructor(action: string, timeoutMs: number, requestUuid?: string) {
    super(`${action} failed: no answer within ${timeoutMs} ms`, action, requestUuid);
  }
}

/** The answer was not the JSON envelope the API documents, or its content broke the contract; `detail` may quote it. */
export class MalformedResponseError extends CompshareError {
  override readonly name = 'MalformedResponseError';
  readonly kind = 'malformed';
  constructor(action: string, detail: string, requestUuid: string | undefined) {
    super(`${action} failed: malformed response: ${farEndText(detail)}`, action, requestUuid);
  }
}

/** RetCodes whose fix is on the user's side get a hint on what to check. */
function hintFor(retCode: number): string {
  switch (retCode) {
    case 171:
      return ' (check the key pair: credentials.publicKey and credentials.privateKey must belong together)';
    case 172:
      return ' (the public key is unknown: check credentials.publicKey)';
    case 292:
      return ' (check api.projectId)';
    case 226601:
      return ' (the account is in arrears)';
    default:
      return '';
  }
}
