import { Pool, errors as undiciErrors } from 'undici';
import { flattenParams, formBody, type Params } from './encode.js';
import { signParams } from './sign.js';
import {
  CompshareError,
  HttpStatusError,
  MalformedResponseError,
  NetworkError,
  RetCodeError,
  TimeoutError,
} from './errors.js';
import { DEFAULT_RETRY_POLICY, backoffDelayMs, isRetryable, type RetryPolicy } from './retry.js';
import { RateLimiter, defaultSleep } from './rate-limit.js';
import { getProjectList } from './actions/get-project-list.js';

export interface ClientOptions {
  baseUrl: string;
  region: string;
  publicKey: string;
  privateKey: string;
  /** From config; when absent the default project is discovered once with GetProjectList. */
  projectId?: string | undefined;
  timeoutMs: number;
  maxRequestsPerSecond: number;
  retry?: RetryPolicy;
  userAgent?: string;
  /** Injectable for tests: the clock, sleeping between retries, and the jitter source. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** A successful (RetCode 0) answer: the envelope's fields plus the request id the gateway gave it. */
export interface ApiResponse {
  body: Record<string, unknown>;
  requestUuid: string | undefined;
}

export interface CallOptions {
  /** GetProjectList itself must not ask for a project id. */
  withProject?: boolean;
}

const REQUEST_UUID_HEADER = 'x-ucloud-request-uuid';

/**
 * Signs and sends Compshare API calls over one keep-alive pool, with the project's retry policy and a shared
 * client-side rate limit. Returns the raw envelope; typed parsing lives in actions/.
 */
export class CompshareClient {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly limiter: RateLimiter;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private projectIdPromise: Promise<string> | undefined;

  constructor(private readonly options: ClientOptions) {
    const url = new URL(options.baseUrl);
    this.pool = new Pool(url.origin, { connections: 4, keepAliveTimeout: 30_000 });
    this.path = url.pathname || '/';
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.limiter = new RateLimiter(options.maxRequestsPerSecond, options.now, this.sleep);
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    if (options.projectId) this.projectIdPromise = Promise.resolve(options.projectId);
  }

  get region(): string {
    return this.options.region;
  }

  /** Calls an action, retrying only what retry.ts calls transient. */
  async call(action: string, params: Params, callOptions: CallOptions = {}): Promise<ApiResponse> {
    const projectId = callOptions.withProject === false ? undefined : await this.projectId();
    const flat = flattenParams({ Region: this.options.region, ProjectId: projectId, ...params, Action: action });
    const signed = signParams(flat, this.options.publicKey, this.options.privateKey);
    for (let attempt = 1; ; attempt++) {
      await this.limiter.acquire();
      try {
        return await this.send(action, signed);
      } catch (error) {
        const retryable = error instanceof CompshareError && isRetryable(action, error);
        if (!retryable || attempt >= this.retry.maxAttempts) throw error;
        await this.sleep(backoffDelayMs(this.retry, attempt - 1, this.random));
      }
    }
  }

  /** The configured project, or the account's default one, asked for once and then cached. */
  projectId(): Promise<string> {
    this.projectIdPromise ??= this.discoverProjectId().catch((error: unknown) => {
      this.projectIdPromise = undefined;
      throw error;
    });
    return this.projectIdPromise;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private async discoverProjectId(): Promise<string> {
    const projects = await getProjectList(this);
    const chosen = projects.find((project) => project.isDefault) ?? projects[0];
    if (!chosen) throw new MalformedResponseError('GetProjectList', 'the account has no project', undefined);
    return chosen.projectId;
  }

  private async send(action: string, signed: Record<string, string>): Promise<ApiResponse> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.options.timeoutMs);
    let requestUuid: string | undefined;
    try {
      const response = await this.pool.request({
        method: 'POST',
        path: this.path,
        body: formBody(signed),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'user-agent': this.options.userAgent ?? 'compshare-watch',
          'u-timestamp-ms': String(Date.now()),
        },
        signal: abort.signal,
      });
      const uuidHeader = response.headers[REQUEST_UUID_HEADER];
      requestUuid = Array.isArray(uuidHeader) ? uuidHeader[0] : uuidHeader;
      if (response.statusCode >= 400) {
        await response.body.dump();
        throw new HttpStatusError(action, response.statusCode, requestUuid);
      }
      return { body: parseEnvelope(action, await response.body.text(), requestUuid), requestUuid };
    } catch (error) {
      if (error instanceof CompshareError) throw error;
      if (abort.signal.aborted) throw new TimeoutError(action, this.options.timeoutMs);
      throw new NetworkError(action, describeNetworkError(error));
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Checks the `{Action, RetCode, Message}` envelope; RetCode may arrive as a numeric string. */
function parseEnvelope(action: string, text: string, requestUuid: string | undefined): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new MalformedResponseError(action, `body is not JSON: ${JSON.stringify(text.slice(0, 60))}`, requestUuid);
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
