/** The computed number of connections stays within these: two so one slow answer does not stall the rest. */
export const MIN_CONNECTIONS = 2;
export const MAX_CONNECTIONS = 64;
/** Room over Little's law's average, for answers slower than the average and bursts of calls. */
export const CONNECTION_HEADROOM = 2;
/** The latency assumed before any answer is seen: a far gateway's, more than the API's usual 50-200 ms. */
export const INITIAL_LATENCY_MS = 250;
/** Weight of each new attempt in the moving latency estimate: about the last ten attempts count. */
const LATENCY_WEIGHT = 0.1;

export interface ConnectionSlotsOptions {
  /** The most requests per second the client sends. */
  requestsPerSecond: number;
  /** A fixed number of connections (`api.connections`) instead of the computed one. */
  fixed?: number | undefined;
  monotonic: () => number;
}

/**
 * Lets at most as many requests be in flight as the client has connections, so none waits in the HTTP pool's queue
 * where its timeout would run before it was even sent. By Little's law, sending `rate` requests a second that each
 * hold a connection for `latency` needs rate x latency connections; the count follows a moving estimate of the
 * latency, times CONNECTION_HEADROOM, within MIN_CONNECTIONS..MAX_CONNECTIONS, unless a fixed count is given.
 */
export class ConnectionSlots {
  /** The most connections this will ever allow, which is what the HTTP pool is sized to. */
  readonly max: number;
  private readonly fixed: number | undefined;
  private readonly requestsPerSecond: number;
  private readonly monotonic: () => number;
  private latencyMs = INITIAL_LATENCY_MS;
  private held = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(options: ConnectionSlotsOptions) {
    const { fixed } = options;
    if (fixed !== undefined && !(Number.isInteger(fixed) && fixed >= 1)) {
      throw new RangeError(`connections must be a whole number >= 1, got ${fixed}`);
    }
    this.fixed = options.fixed;
    this.max = options.fixed ?? MAX_CONNECTIONS;
    this.requestsPerSecond = options.requestsPerSecond;
    this.monotonic = options.monotonic;
  }

  /** How many requests may be in flight now. */
  get capacity(): number {
    if (this.fixed !== undefined) return this.fixed;
    const needed = Math.ceil(this.requestsPerSecond * (this.latencyMs / 1000) * CONNECTION_HEADROOM);
    return Math.min(MAX_CONNECTIONS, Math.max(MIN_CONNECTIONS, needed));
  }

  /**
   * Waits, in order, for a free slot. Resolves to the function that gives it back (and records how long it was
   * held), or to undefined at once if `signal` aborts first.
   */
  acquire(signal: AbortSignal): Promise<(() => void) | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    if (this.waiting.length === 0 && this.held < this.capacity) return Promise.resolve(this.take());
    return new Promise((resolve) => {
      const leave = () => {
        this.waiting.splice(this.waiting.indexOf(admit), 1);
        resolve(undefined);
      };
      const admit = () => {
        signal.removeEventListener('abort', leave);
        resolve(this.take());
      };
      signal.addEventListener('abort', leave, { once: true });
      this.waiting.push(admit);
    });
  }

  private take(): () => void {
    this.held++;
    const since = this.monotonic();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held--;
      this.latencyMs += LATENCY_WEIGHT * (this.monotonic() - since - this.latencyMs);
      // A longer latency may have raised the capacity: admit as many as it now allows.
      while (this.waiting.length > 0 && this.held < this.capacity) this.waiting.shift()!();
    };
  }
}
