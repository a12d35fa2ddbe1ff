import type { CompshareClient } from '../compshare/client.js';
import { getInstancePrice } from '../compshare/actions/get-instance-price.js';
import type { Clock } from '../util/clock.js';
import { hourlyOf, priceKey, type CandidateRequest } from './provisioners.js';

/** A price as the guardrails read it, in CNY. */
export interface Quote {
  /** One period of the charge type: an hour for pay-as-you-go, the whole term for prepaid. */
  period: number;
  hourly: number;
  at: number;
}

/** How long a fetched price is used without asking again; the background refresh runs at half of it. */
export const PRICE_TTL_MS = 10 * 60_000;

/**
 * Prices of the requests a provisioner may send, fetched ahead of time so the path from a flip to Create makes no
 * price call; a missing or stale one is fetched when needed (and a failure to fetch blocks the create).
 */
export class PriceBook {
  readonly #quotes = new Map<string, Quote>();

  constructor(
    private readonly client: CompshareClient,
    private readonly clock: Clock,
    private readonly ttlMs = PRICE_TTL_MS,
  ) {}

  /** The price if it is known and fresh. */
  cached(request: CandidateRequest): Quote | undefined {
    const quote = this.#quotes.get(priceKey(request));
    return quote && this.clock.now() - quote.at < this.ttlMs ? quote : undefined;
  }

  /** The fresh price, fetched if need be; throws the API's error when it cannot be had. */
  async quote(request: CandidateRequest): Promise<Quote> {
    return this.cached(request) ?? this.fetch(request);
  }

  /** Fetches every price again; returns the errors, one per request that failed (the old price stays until stale). */
  async refresh(requests: readonly CandidateRequest[]): Promise<unknown[]> {
    const errors: unknown[] = [];
    for (const request of requests) {
      try {
        await this.fetch(request);
      } catch (error) {
        errors.push(error);
      }
    }
    return errors;
  }

  private async fetch(request: CandidateRequest): Promise<Quote> {
    const rows = await getInstancePrice(this.client, request);
    const row = rows.find((candidate) => candidate.chargeType === request.chargeType);
    if (row === undefined) {
      throw new Error(`GetCompShareInstancePrice quoted no ${request.chargeType} price for ${request.gpuType} ${request.gpu}/${request.cpu}/${request.memGb}`);
    }
    // A GPU is never free: a zero, negative or unreadable figure would pass every price limit, so it is no price.
    if (!Number.isFinite(row.total) || row.total <= 0) {
      throw new Error(`GetCompShareInstancePrice quoted ${row.total} for ${request.gpuType} ${request.gpu}/${request.cpu}/${request.memGb}, which cannot be a price`);
    }
    const quote = { period: row.total, hourly: hourlyOf(request.chargeType, row.total), at: this.clock.now() };
    this.#quotes.set(priceKey(request), quote);
    return quote;
  }
}
