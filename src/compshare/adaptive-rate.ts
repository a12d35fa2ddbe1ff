/** A rate-limit answer halves the rate the client allows itself (multiplicative decrease)... */
export const THROTTLED_RATE_FACTOR = 0.5;
/** ...which then climbs back by this share of the configured rate per second without one (additive increase). */
export const RECOVERY_SHARE_PER_SECOND = 0.05;
/** The floor when the caller gives none: one request a minute still tells a watch something. */
export const DEFAULT_MIN_REQUESTS_PER_SECOND = 1 / 60;

export interface AdaptiveRateOptions {
  /** The configured rate, never exceeded. */
  maxRequestsPerSecond: number;
  /** Throttling never lowers the rate below this (capped at the maximum). Default DEFAULT_MIN_REQUESTS_PER_SECOND. */
  minRequestsPerSecond?: number | undefined;
  monotonic: () => number;
  /** Told the new rate when throttling lowers it and when it is back at the maximum, not at every step between. */
  onChange?: ((requestsPerSecond: number) => void) | undefined;
}

/**
 * The request rate a client allows itself, AIMD as TCP does it: the configured maximum until the gateway says
 * "too many" (153, 429), then halved, then raised linearly back to the maximum. Computed from the time since the
 * last change when asked, so it needs no timer and reads the same on an injected clock.
 */
export class AdaptiveRate {
  private readonly max: number;
  private readonly min: number;
  private readonly monotonic: () => number;
  private readonly onChange: ((requestsPerSecond: number) => void) | undefined;
  /** The rate at `changedAtMs`, from which the recovery climbs. */
  private base: number;
  private changedAtMs = -Infinity;

  constructor(options: AdaptiveRateOptions) {
    const { maxRequestsPerSecond: max, minRequestsPerSecond: min = DEFAULT_MIN_REQUESTS_PER_SECOND } = options;
    if (!(max > 0 && max < Infinity)) throw new RangeError(`requests per second must be > 0 and finite, got ${max}`);
    if (!(min > 0)) throw new RangeError(`the least requests per second must be > 0, got ${min}`);
    this.max = max;
    this.min = Math.min(min, max);
    this.base = max;
    this.monotonic = options.monotonic;
    this.onChange = options.onChange;
  }

  /** The rate allowed now, in requests per second. */
  current(): number {
    if (this.base === this.max) return this.max;
    const seconds = (this.monotonic() - this.changedAtMs) / 1000;
    const rate = this.base + RECOVERY_SHARE_PER_SECOND * this.max * seconds;
    if (rate < this.max) return rate;
    this.base = this.max;
    this.onChange?.(this.max);
    return this.max;
  }

  /**
   * The gateway refused a request that was given its rate slot at `grantedAtMs`. Only a request granted since the
   * last decrease lowers the rate again: the ones already out when the first refusal came were sent at the old
   * rate and say nothing about the new one, so a burst of refusals halves the rate once, not down to the floor.
   */
  throttled(grantedAtMs: number): void {
    if (grantedAtMs < this.changedAtMs) return;
    const lowered = Math.max(this.min, this.current() * THROTTLED_RATE_FACTOR);
    this.base = lowered;
    this.changedAtMs = this.monotonic();
    this.onChange?.(lowered);
  }
}
