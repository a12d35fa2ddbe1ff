/** What `waitFor` is told besides what it waits for. */
export interface WaitOptions {
  /** The bound is a safety net, not a speed assertion; below the 20 s test timeout so that this message wins. */
  timeoutMs?: number;
  intervalMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_INTERVAL_MS = 50;

/**
 * Reads until `predicate` holds and returns that value; `read` may be async. A read that throws counts as "not
 * yet" (e.g. a database file still being created). On timeout it throws, naming `what`, the last value and the
 * last error, so a wait can never end a test silently.
 */
export async function waitFor<T>(
  read: () => T | Promise<T>,
  predicate: (value: T) => boolean,
  what: string,
  { timeoutMs = DEFAULT_TIMEOUT_MS, intervalMs = DEFAULT_INTERVAL_MS }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: { value: T } | { error: unknown } | undefined;
    try {
      const value = await read();
      if (predicate(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) {
      const seen = 'value' in last ? `last value: ${JSON.stringify(last.value)}` : `last error: ${String(last.error)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
