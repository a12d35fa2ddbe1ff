import type { IncomingHttpHeaders } from 'node:http';
import { Pool, errors as undiciErrors } from 'undici';
import { exchange, ExchangeFailure, type Exchanged } from './exchange.js';
import { flattenParams, formBody, type Params } from './encode.js';
import { signParams } from './sign.js';
import {
  ClientClosedError,
  CompshareError,
  farEndText,
  HttpStatusError,
  MalformedResponseError,
  NetworkError,
  RetCodeError,
  TimeoutError,
} from './errors.js';
import {
  DEFAULT_RETRY_POLICY,
  RATE_LIMIT_PENALTY_MS,
  isRateLimited,
  isRetryable,
  retryDelayMs,
  type RetryPolicy,
} from './retry.js';
import { RateLimiter } from './rate-limit.js';
import { AdaptiveRate } from './adaptive-rate.js';
import { ConnectionSlots } from './connection-slots.js';
import { getProjectList } from './actions/get-project-list.js';
import { sleep as timerSleep, stopController, systemClock, type IntervalClock, type Sleep } from '../util/clock.js';

export interface ClientOptions {
  baseUrl: string;
  region: string;
  publicKey: string;
  privateKey: string;
  /** From config; when absent the default project is discovered once with GetProjectList. */
  projectId?: string | undefined;
  /** How long one attempt may take once it is sent; waiting for a rate-limit slot or a connection does not count. */
  timeoutMs: number;
  /** The rate the client never exceeds; throttling answers lower it for a while (see AdaptiveRate). */
  maxRequestsPerSecond: number;
  /** The least rate throttling may lower it to. Default DEFAULT_MIN_REQUESTS_PER_SECOND. */
  minRequestsPerSecond?: number | undefined;
  /** Told the new rate when throttling lowers it and when it is back at `maxRequestsPerSecond`, so a daemon can log it. */
  onRateChange?: ((requestsPerSecond: number) => void) | undefined;
  /** Connections to the API (`api.connections`); by default computed from the rate and the latency seen. */
  connections?: number | undefined;
  retry?: RetryPolicy;
  userAgent?: string;
  /**
   * PEM certificates an https `baseUrl` is verified against instead of Node's bundled roots: for a gateway with a
   * private CA, such as the simulator behind a self-signed certificate. Verification stays on either way; a whole
   * process can add CAs with NODE_EXTRA_CA_CERTS instead.
   */
  ca?: string | Buffer | undefined;
  /** Told once per attempt that has waited `slowAttemptMs` without an answer, so a CLI can say what it waits for. */
  onSlowAttempt?: (attempt: AttemptInfo) => void;
  /** Default SLOW_ATTEMPT_MS. */
  slowAttemptMs?: number;
  /** Injectable for tests: the clock, sleeping (between retries and until a rate-limit slot), and the jitter source. */
  clock?: IntervalClock;
  sleep?: Sleep;
  random?: () => number;
}

/** Which attempt of which call is under way, for `onSlowAttempt`. */
export interface AttemptInfo {
  action: string;
  /** 1 for the first try. */
  attempt: number;
  maxAttempts: number;
  timeoutMs: number;
}

/** How long an attempt goes unanswered before `onSlowAttempt` hears of it: past a normal answer, short of the timeout. */
export const SLOW_ATTEMPT_MS = 2_000;

/** A successful (RetCode 0) answer: the envelope's fields plus the request id the gateway gave it. */
export interface ApiResponse {
  body: Record<string, unknown>;
  requestUuid: string | undefined;
}

export interface CallOptions {
  /**
   * Which project id the call carries: `true` (default) the configured or discovered one; `'if-configured'` only
   * a configured one, for an action that does not need it (the default project is the gateway's default), so it
   * costs no GetProjectList; `false` none (GetProjectList itself).
   */
  withProject?: boolean | 'if-configured';
  /**
   * Goes ahead of calls queued behind the rate limit (see RateLimiter.acquire): for Create, the one call whose delay
   * loses a race for capacity; there are few of them (a provisioner's guardrails bound them).
   */
  urgent?: boolean;
}

const REQUEST_UUID_HEADER = 'x-ucloud-request-uuid';
/** A UUID is 36 characters; room for other id formats, not for a payload. */
const MAX_REQUEST_UUID_CHARS = 100;

/** The largest answer read: real ones are a few KiB, and a bigger one must not exhaust the daemon's memory. */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/**
 * Signs and sends Compshare API calls over one keep-alive pool, with the project's retry policy and a shared
 * client-side rate limit that backs off on throttling. A call waits for its rate slot, then for a free connection,
 * and only then is sent and timed. Returns the raw envelope; typed parsing lives in actions/.
 */
export class CompshareClient {
  /** The region every call is sent to. */
  readonly region: string;
  private readonly pool: Pool;
  private readonly path: string;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly rate: AdaptiveRate;
  private readonly limiter: RateLimiter;
  private readonly connections: ConnectionSlots;
  private readonly retry: RetryPolicy;
  private readonly clock: IntervalClock;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly onSlowAttempt: ((attempt: AttemptInfo) => void) | undefined;
  private readonly slowAttemptMs: number;
  /** Aborted by close(), for good: ends every rate-limit and backoff wait at once, so none holds the process open. */
  readonly #closing = stopController();
  /** Holds the private key in its closure: a #private field, so inspecting or serializing the client cannot show it. */
  readonly #sign: (flat: Record<string, string>) => Record<string, string>;
  private projectIdPromise: Promise<string> | undefined;
  private readonly configuredProjectId: Promise<string> | undefined;

  constructor(options: ClientOptions) {
    const url = new URL(options.baseUrl);
    this.clock = options.clock ?? systemClock;
    const monotonic = () => this.clock.monotonic();
    this.connections = new ConnectionSlots({
      requestsPerSecond: options.maxRequestsPerSecond,
      fixed: options.connections,
      monotonic,
    });
    // The pool opens a connection only when every open one is busy, so this cap is reached only under that load.
    this.pool = new Pool(url.origin, {
      connections: this.connections.max,
      keepAliveTimeout: 30_000,
      ...(options.ca === undefined ? {} : { connect: { ca: options.ca } }),
    });
    this.path = url.pathname || '/';
    this.region = options.region;
    this.timeoutMs = options.timeoutMs;
    this.userAgent = options.userAgent ?? 'compshare-watch';
    this.sleep = options.sleep ?? timerSleep;
    this.random = options.random ?? Math.random;
    this.onSlowAttempt = options.onSlowAttempt;
    this.slowAttemptMs = options.slowAttemptMs ?? SLOW_ATTEMPT_MS;
    this.rate = new AdaptiveRate({
      maxRequestsPerSecond: options.maxRequestsPerSecond,
      minRequestsPerSecond: options.minRequestsPerSecond,
      monotonic,
      onChange: options.onRateChange,
    });
    this.limiter = new RateLimiter(() => this.rate.current(), monotonic, this.sleep);
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    const { publicKey, privateKey } = options;
    this.#sign = (flat) => signParams(flat, publicKey, privateKey);
    if (options.projectId) this.projectIdPromise = this.configuredProjectId = Promise.resolve(options.projectId);
  }

  /** The rate the client allows itself now: `maxRequestsPerSecond`, or less for a while after throttling. */
  get requestsPerSecond(): number {
    return this.rate.current();
  }

  /**
   * Calls an action, retrying only what retry.ts calls transient. A rate-limit answer also slows down every other
   * caller of this client; once the client is closed, nothing more is sent or retried.
   */
  call(action: string, params: Params, callOptions: CallOptions = {}): Promise<ApiResponse> {
    return this.prepare(action, params, callOptions)();
  }

  /**
   * `call` for a call made again and again with the same params, such as a watch's poll: the request is signed and
   * encoded once, on its first use, and each call after that only sends it. A failure before anything is sent (the
   * default project's lookup) is tried again on the next call.
   */
  prepare(action: string, params: Params, callOptions: CallOptions = {}): () => Promise<ApiResponse> {
    let body: Promise<string> | undefined;
    return async () => {
      if (this.#closing.signal.aborted) throw new ClientClosedError(action);
      body ??= this.signedBody(action, params, callOptions.withProject ?? true).catch((error: unknown) => {
        body = undefined;
        throw error;
      });
      return this.attempts(action, await body, callOptions.urgent);
    };
  }

  private async signedBody(action: string, params: Params, withProject: boolean | 'if-configured'): Promise<string> {
    const projectId = await this.projectIdFor(withProject);
    return formBody(this.#sign(flattenParams({ Region: this.region, ProjectId: projectId, ...params, Action: action })));
  }

  private async attempts(action: string, body: string, urgent: boolean | undefined): Promise<ApiResponse> {
    let lastError: CompshareError | undefined;
    for (let attempt = 1; ; attempt++) {
      await this.limiter.acquire(this.#closing.signal, urgent);
      const grantedAtMs = this.clock.monotonic();
      // close() may have come while this call waited for its slot, its connection or its backoff.
      const release = this.#closing.signal.aborted ? undefined : await this.connections.acquire(this.#closing.signal);
      if (!release) throw lastError ?? new ClientClosedError(action);
      try {
        const info = { action, attempt, maxAttempts: this.retry.maxAttempts, timeoutMs: this.timeoutMs };
        return await this.send(action, body, info).finally(release);
      } catch (error) {
        if (!(error instanceof CompshareError)) throw error;
        if (isRateLimited(error)) {
          this.limiter.penalize(RATE_LIMIT_PENALTY_MS);
          this.rate.throttled(grantedAtMs);
        }
        if (this.#closing.signal.aborted || !isRetryable(action, error) || attempt >= this.retry.maxAttempts) throw error;
        lastError = error;
        await this.sleep(retryDelayMs(this.retry, attempt - 1, error, this.random), this.#closing.signal);
      }
    }
  }

  private projectIdFor(withProject: boolean | 'if-configured'): Promise<string | undefined> | undefined {
    if (withProject === 'if-configured') return this.configuredProjectId;
    return withProject ? this.projectId() : undefined;
  }

  /** The configured project, or the account's default one, asked for once and then cached. */
  projectId(): Promise<string> {
    this.projectIdPromise ??= this.discoverProjectId().catch((error: unknown) => {
      this.projectIdPromise = undefined;
      throw error;
    });
    return this.projectIdPromise;
  }

  /**
   * Stops the client for good. Requests under way are cut off rather than awaited (a hung one would hold shutdown
   * up to its timeout), and calls waiting for a rate-limit slot, a connection or a retry stop waiting; all of them
   * and any later ones fail without a retry.
   */
  async close(): Promise<void> {
    this.#closing.abort();
    await this.pool.destroy();
  }

  private async discoverProjectId(): Promise<string> {
    const { projects, requestUuid } = await getProjectList(this);
    const chosen = projects.find((project) => project.isDefault) ?? projects[0];
    if (!chosen) throw new MalformedResponseError('GetProjectList', 'the account has no project', requestUuid);
    return chosen.projectId;
  }

  private async send(action: string, body: string, attempt: AttemptInfo): Promise<ApiResponse> {
    const onSlow = this.onSlowAttempt;
    const slowTimer = onSlow && this.timeoutMs > this.slowAttemptMs ? setTimeout(() => onSlow(attempt), this.slowAttemptMs) : undefined;
    let answer: Exchanged;
    try {
      answer = await exchange(
        this.pool,
        {
          method: 'POST',
          path: this.path,
          body,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'user-agent': this.userAgent,
            'u-timestamp-ms': String(this.clock.now()),
          },
        },
        { timeoutMs: this.timeoutMs, maxBodyBytes: MAX_RESPONSE_BYTES },
      );
    } catch (error) {
      throw this.failureOf(action, error);
    } finally {
      clearTimeout(slowTimer);
    }
    const requestUuid = requestUuidOf(answer.headers);
    // Redirects are not followed: a 3xx body (a login page, a proxy's notice) is no capacity answer.
    if (answer.statusCode < 200 || answer.statusCode >= 300) throw new HttpStatusError(action, answer.statusCode, requestUuid);
    return { body: parseEnvelope(action, answer.body.toString('utf8'), requestUuid), requestUuid };
  }

  private failureOf(action: string, error: unknown): CompshareError {
    if (!(error instanceof ExchangeFailure)) return new NetworkError(action, describeNetworkError(error), undefined);
    const requestUuid = error.headers && requestUuidOf(error.headers);
    switch (error.reason) {
      case 'timeout':
        return new TimeoutError(action, this.timeoutMs, requestUuid);
      case 'too-large':
        return new MalformedResponseError(action, `answer larger than ${MAX_RESPONSE_BYTES / (1024 * 1024)} MiB`, requestUuid);
      case 'network':
        return new NetworkError(action, describeNetworkError(error.cause), requestUuid);
    }
  }
}

/** The gateway's id for the request, cleaned as far-end text: it is stored and logged with every failed poll. */
function requestUuidOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers[REQUEST_UUID_HEADER];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : farEndText(first, MAX_REQUEST_UUID_CHARS);
}

/** Checks the `{Action, RetCode, Message}` envelope; RetCode may arrive as a numeric string. */
function parseEnvelope(action: string, text: string, requestUuid: string | undefined): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new MalformedResponseError(action, `body is not JSON: ${JSON.stringify(farEndText(text, 60))}`, requestUuid);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MalformedResponseError(action, 'body is not a JSON object', requestUuid);
  }
  const body = parsed as Record<string, unknown>;
  const retCode = typeof body.RetCode === 'string' && /^-?\d+$/.test(body.RetCode) ? Number(body.RetCode) : body.RetCode;
  if (typeof retCode !== 'number' || !Number.isInteger(retCode)) {
    throw new MalformedResponseError(action, 'RetCode missing or not an integer', requestUuid);
  }
  if (retCode !== 0) {
    const message = typeof body.Message === 'string' ? body.Message : '';
    throw new RetCodeError(action, retCode, message, requestUuid);
  }
  return body;
}

function describeNetworkError(error: unknown): string {
  if (error instanceof undiciErrors.UndiciError || error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} ${error.message}` : error.message;
  }
  return String(error);
}
