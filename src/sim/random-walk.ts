import type { CapacityBook } from './capacity.js';

/** Sim seconds between two steps of the walk. */
export const WALK_STEP_SECONDS = 60;

/** mulberry32: a tiny 32-bit PRNG, plenty for a reproducible capacity script. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Seeded capacity churn. Each (zone, GPU type) has a level: the largest GPU count that can still be created.
 * Every step the level moves one GPU size down, up or stays, and rows are enough exactly up to it, so big
 * configurations sell out first, as on the real platform. The level is read back from the rows each step, so a
 * capacity change made through the control API is where the walk continues from.
 */
export class RandomWalk {
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = mulberry32(seed);
  }

  step(book: CapacityBook): void {
    for (const entry of book.list()) {
      const sizes = [...new Set(entry.rows.map((row) => row.gpu))].sort((a, b) => a - b);
      const largestEnough = Math.max(0, ...entry.rows.filter((row) => row.enough).map((row) => row.gpu));
      const draw = this.random();
      const move = draw < 1 / 3 ? -1 : draw < 2 / 3 ? 1 : 0;
      const level = Math.min(sizes.length - 1, Math.max(-1, sizes.lastIndexOf(largestEnough) + move));
      const limit = level < 0 ? 0 : (sizes[level] ?? 0);
      for (const row of entry.rows) row.enough = row.gpu <= limit;
    }
  }
}
