/** How the polls of one measurement window went, from the simulator's side. */
export interface TickOutcome {
  /** Watches × ticks in the window. */
  expected: number;
  /** Ticks whose poll reached the simulator at least once. */
  made: number;
  /** Ticks the daemon said it skipped (previous run still busy). */
  skipped: number;
  /** Ticks that fired but whose poll never reached the simulator in the window (timed out queued, or still queued). */
  neverArrived: number;
  /** Requests beyond the first of a tick's poll: retries. */
  retries: number;
  /** Per poll made: its first request's arrival minus its tick, in ms. */
  latenessMs: number[];
}

/**
 * Attributes each watch's requests to the ticks they belong to. A poll runs from its tick until it ends, and a tick
 * that finds the previous poll still running is skipped (and logged). So the requests of the poll fired at tick T
 * are exactly those arriving from T until the next tick that was not skipped: a poll 13 s late still counts as
 * 13 s late, not as 3 s after the following tick. A scheduler that drops a tick it cannot serve before the next
 * one keeps every poll inside its own interval, and then the skipped list may be empty.
 *
 * `arrivals` and `skips`: per watch, the ms times of its requests and of its skipped-tick log lines.
 */
export function attributeToTicks(
  watches: readonly string[],
  arrivals: ReadonlyMap<string, readonly number[]>,
  skips: ReadonlyMap<string, readonly number[]>,
  window: { startMs: number; endMs: number; periodMs: number },
): TickOutcome {
  const { startMs, endMs, periodMs } = window;
  const outcome: TickOutcome = { expected: 0, made: 0, skipped: 0, neverArrived: 0, retries: 0, latenessMs: [] };
  for (const watch of watches) {
    // A skip is logged when its tick fires, a little after the tick itself.
    const skipped = new Set((skips.get(watch) ?? []).map((at) => Math.floor(at / periodMs) * periodMs));
    const times = [...(arrivals.get(watch) ?? [])].sort((a, b) => a - b);
    const lastArrival = times.at(-1) ?? endMs;
    // Ticks past the window still bound the last window tick's interval.
    const fired: number[] = [];
    for (let tick = startMs; tick <= Math.max(endMs, lastArrival) + periodMs; tick += periodMs) {
      if (!skipped.has(tick)) fired.push(tick);
    }
    for (let tick = startMs; tick < endMs; tick += periodMs) {
      outcome.expected += 1;
      if (skipped.has(tick)) outcome.skipped += 1;
    }
    let next = 0;
    fired.forEach((tick, index) => {
      if (tick >= endMs) return;
      const until = fired[index + 1] ?? Number.POSITIVE_INFINITY;
      while (next < times.length && times[next]! < tick) next += 1;
      const first = next;
      while (next < times.length && times[next]! < until) next += 1;
      const count = next - first;
      if (count === 0) outcome.neverArrived += 1;
      else {
        outcome.made += 1;
        outcome.retries += count - 1;
        outcome.latenessMs.push(times[first]! - tick);
      }
    });
  }
  return outcome;
}
