import type { CapacityBook, RowPatch } from './capacity.js';
import { WALK_STEP_SECONDS, type RandomWalk } from './random-walk.js';

/** A scripted capacity change at an absolute sim time (unix seconds). */
export interface TimelineEvent {
  at: number;
  zone: string;
  gpuType: string;
  rows: RowPatch[];
}

/**
 * Replays the timeline and the random walk up to the sim clock. Due events are applied in time order (timeline
 * first on a tie), so the capacity at a given time does not depend on how often anyone looked at it.
 */
export class CapacityScript {
  private readonly timeline: TimelineEvent[];
  private nextEvent = 0;
  private walkSteps = 0;

  constructor(
    private readonly book: CapacityBook,
    timeline: readonly TimelineEvent[],
    private readonly walk: RandomWalk | undefined,
    private readonly startSeconds: number,
  ) {
    this.timeline = [...timeline].sort((a, b) => a.at - b.at);
  }

  advanceTo(nowSeconds: number): void {
    for (;;) {
      const event = this.timeline[this.nextEvent];
      const stepAt = this.walk ? this.startSeconds + (this.walkSteps + 1) * WALK_STEP_SECONDS : Infinity;
      const eventAt = event ? event.at : Infinity;
      if (Math.min(stepAt, eventAt) > nowSeconds) return;
      if (event && eventAt <= stepAt) {
        const entry = this.book.get(event.zone, event.gpuType);
        // Rows replaced through the control API may no longer match the script; then the event changes nothing.
        if (entry) this.book.patch(entry, event.rows);
        this.nextEvent += 1;
      } else {
        this.walk?.step(this.book);
        this.walkSteps += 1;
      }
    }
  }
}
