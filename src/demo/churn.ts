import type { CapacityBook } from '../sim/capacity.js';
import { RandomWalk } from '../sim/random-walk.js';

/** The running churn; `stop()` ends it. */
export interface CapacityChurn {
  stop(): void;
}

/**
 * Moves the simulator's capacity one random-walk step every `everyMs` of wall time, so cards free up and sell out
 * every few seconds. The simulator's own walk steps once a sim minute, too slow to watch; speeding its clock up
 * instead would also age instances and fire stop schedules hours early.
 */
export function startCapacityChurn(book: CapacityBook, seed: number, everyMs: number): CapacityChurn {
  const walk = new RandomWalk(seed);
  const timer = setInterval(() => walk.step(book), everyMs);
  return { stop: () => clearInterval(timer) };
}
