import type { Availability } from '../store/watch-state.js';

export interface WindowStats {
  /** Available windows that overlap the period (an open one counts). */
  windows: number;
  medianWindowMs: number | null;
  longestWindowMs: number | null;
  /** Median length of the sold-out spells that ended with cards coming back. */
  medianTimeToReturnMs: number | null;
}

/**
 * Cuts a key's transitions (ascending, starting with the state at or before `since`) into spells clipped to
 * [since, now] and summarises them.
 */
export function windowStats(transitions: ReadonlyArray<{ to: Availability; at: number }>, since: number, now: number): WindowStats {
  const available: number[] = [];
  const returns: number[] = [];
  transitions.forEach((transition, index) => {
    const next = transitions[index + 1];
    const start = Math.max(transition.at, since);
    const end = next?.at ?? now;
    if (end <= since) return;
    if (transition.to === 'available') available.push(end - start);
    else if (next && transition.at >= since) returns.push(end - start);
  });
  return {
    windows: available.length,
    medianWindowMs: median(available),
    longestWindowMs: available.length ? Math.max(...available) : null,
    medianTimeToReturnMs: median(returns),
  };
}

export function median(values: readonly number[]): number | null {
  return values.length === 0 ? null : medianOfSorted(sortedCopy(values));
}

/**
 * The nearest-rank `q`-quantile (0 < q <= 1): the smallest value with at least `q` of the values at or below it,
 * so it is always one of the values (a p90 of 9 windows is the longest one but none).
 */
export function quantile(values: readonly number[], q: number): number | null {
  return values.length === 0 ? null : quantileOfSorted(sortedCopy(values), q);
}

/** Ascending, as a typed array: its native numeric sort is several times faster than a comparator's. */
export function sortedCopy(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

/** The median of values already sorted ascending (at least one). */
export function medianOfSorted(sorted: ArrayLike<number>): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** `quantile` of values already sorted ascending (at least one). */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}
