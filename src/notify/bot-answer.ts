import { isSuccessStatus, isTransientStatus, jsonObject, type HttpAnswer, type JsonPoster } from './http-post.js';

/** How a chat robot or push service (WeCom, DingTalk, Feishu, Server酱…) reports the outcome in its JSON answer. */
export interface BotProtocol {
  /** [code field, message field] pairs, tried in order: Feishu answers `code`/`msg` or, older, `StatusCode`/`StatusMessage`. */
  fields: ReadonlyArray<readonly [code: string, message: string]>;
  /**
   * Codes that say "later" (rate limits, busy). Any other code is a refusal that repeats on retry, unless the HTTP
   * status itself says "later" (Bark answers a failed APNs push with HTTP 500 and code 500).
   */
  transientCodes: ReadonlySet<number>;
  /** The code that means "delivered": 0 unless the service says otherwise (PushPlus and Bark answer 200). */
  successCode?: number;
}

/**
 * Throws unless the robot accepted the message. A code other than the success code decides over the HTTP status, because it says
 * more (some robots answer a refusal with HTTP 4xx and a code), except that a 5xx, 408 or 429 stays transient
 * whatever code it carries; without a code the status decides.
 */
export function checkBotAnswer(poster: JsonPoster, answer: HttpAnswer, protocol: BotProtocol): void {
  const outcome = readOutcome(answer.body, protocol);
  if (outcome !== undefined && outcome.code !== (protocol.successCode ?? 0)) {
    const permanent = !protocol.transientCodes.has(outcome.code) && !isTransientStatus(answer.status);
    throw poster.failure(`${answer.host} refused the message: ${outcome.code} ${poster.quote(outcome.message)}`.trimEnd(), permanent);
  }
  if (!isSuccessStatus(answer.status)) throw poster.statusFailure(answer);
  if (outcome === undefined) {
    throw poster.failure(`unexpected answer from ${answer.host}: ${poster.quote(answer.body)}`, false);
  }
}

function readOutcome(body: string, protocol: BotProtocol): { code: number; message: string } | undefined {
  const answer = jsonObject(body);
  if (answer === undefined) return undefined;
  for (const [codeField, messageField] of protocol.fields) {
    const code = answer[codeField];
    if (typeof code === 'number' && Number.isInteger(code)) {
      const message = answer[messageField];
      return { code, message: typeof message === 'string' ? message : '' };
    }
  }
  return undefined;
}
