import type { Agent } from 'undici';
import { formatDuration } from '../util/duration.js';
import { DeliveryError } from './channel.js';
import { SecretScrubber } from './secrets.js';

/** The 4xx statuses that mean "not now" rather than "not this request". */
const TRANSIENT_CLIENT_STATUSES = new Set([408, 429]);
/** How much of an error answer's body an error message quotes. */
const BODY_EXCERPT_CHARS = 200;
/** The longest failure message, quotes included. */
const FAILURE_CHARS = 400;
/** How much of an answer is read: a robot's verdict is a few hundred bytes; the rest of a huge answer is dropped. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** An HTTP answer of any status. */
export interface HttpAnswer {
  status: number;
  body: string;
  /** host:port of the far end: what errors name instead of the URL, which may hold a token. */
  host: string;
}

export interface JsonPosterOptions {
  /** The far end as errors name it: `WeCom`, `webhook`. */
  label: string;
  timeoutMs: number;
  /** Everything that must never appear in an error: URL tokens, header values, signing secrets. */
  secrets: readonly string[];
}

export function isSuccessStatus(status: number): boolean {
  return status >= 200 && status < 300;
}

/** Server errors, 408 and 429 may pass on a later attempt; any other refusal will be repeated. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || TRANSIENT_CLIENT_STATUSES.has(status);
}

/** An answer body that is a JSON object, for the services that say in fields of their own what became of a message. */
export function jsonObject(body: string): Readonly<Record<string, unknown>> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * POSTs JSON for the webhook-style channels over its own keep-alive pool, and builds their DeliveryErrors, so
 * that every error from these channels is classified the same way and scrubbed of the channel's secrets.
 */
export class JsonPoster {
  private readonly scrubber: SecretScrubber;
  /** Made with the first post: see loadUndici. */
  #agent: Promise<Agent> | undefined;

  constructor(private readonly options: JsonPosterOptions) {
    this.scrubber = new SecretScrubber(options.secrets);
  }

  #pool(): Promise<Agent> {
    this.#agent ??= loadUndici().then(({ Agent }) => new Agent({ connect: { timeout: this.options.timeoutMs } }));
    return this.#agent;
  }

  /**
   * Resolves with whatever HTTP answer came; throws a transient DeliveryError when none came in time. The body is
   * sent as JSON unless `headers` name another `content-type` (ntfy takes plain text).
   */
  async post(url: string, json: string, headers: Readonly<Record<string, string>> = {}): Promise<HttpAnswer> {
    const host = new URL(url).host;
    const [{ request }, dispatcher] = await Promise.all([loadUndici(), this.#pool()]);
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const response = await request(url, {
        dispatcher,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: json,
        signal,
      });
      return { status: response.statusCode, body: await readBounded(response.body, MAX_ANSWER_BYTES), host };
    } catch (error) {
      if (signal.aborted) {
        throw this.failure(`no answer from ${host} within ${formatDuration(this.options.timeoutMs)}`, false);
      }
      throw this.failure(`cannot reach ${host}: ${describeNetworkError(error)}`, false);
    }
  }

  /** A non-2xx answer as an error that quotes the start of its body. */
  statusFailure(answer: HttpAnswer): DeliveryError {
    const quoted = this.quote(answer.body);
    const detail = quoted === '' ? '' : `: ${quoted}`;
    return this.failure(`HTTP ${answer.status} from ${answer.host}${detail}`, !isTransientStatus(answer.status));
  }

  /** The start of something the far end said, enough to say why it failed, safe to print and store. */
  quote(text: string): string {
    return this.scrubber.farEndText(text, BODY_EXCERPT_CHARS);
  }

  /** Any failure of this channel: one bounded line, its secrets removed. */
  failure(message: string, permanent: boolean): DeliveryError {
    return new DeliveryError(this.scrubber.farEndText(`${this.options.label}: ${message}`, FAILURE_CHARS), permanent);
  }

  async close(): Promise<void> {
    if (this.#agent) await (await this.#agent).close();
  }
}

let undici: Promise<typeof import('undici')> | undefined;

/**
 * undici on first use, not on import: loading the config imports every channel, and `stats`, `history` or
 * `config validate` post nothing; undici's 113 files were a third of their start-up. The daemon has it loaded
 * already (the API client), so its first alert waits for nothing.
 */
function loadUndici(): Promise<typeof import('undici')> {
  undici ??= import('undici');
  return undici;
}

/** The first `maxBytes` of a body (as text); the rest is discarded unread so that the connection is freed. */
async function readBounded(body: AsyncIterable<Buffer> & { destroy(): unknown }, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= maxBytes) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString();
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // undici may wrap the socket error (ECONNREFUSED, ENOTFOUND) as the cause of a generic one.
  const detail = error.cause instanceof Error ? error.cause : error;
  const code = (detail as { code?: unknown }).code ?? (error as { code?: unknown }).code;
  return typeof code === 'string' && !detail.message.includes(code) ? `${code}: ${detail.message}` : detail.message;
}
