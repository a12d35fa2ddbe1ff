/**
 * The simulator's clock: the injected wall clock plus an offset that only moves forward, so tests and demos can
 * jump hours ahead (boot delays, scheduled stops, capacity scripts) without waiting.
 */
export class SimClock {
  private offsetMs = 0;

  constructor(private readonly wallClock: () => number) {}

  /** Unix seconds, the unit of every time field on the wire. */
  nowSeconds(): number {
    return Math.floor((this.wallClock() + this.offsetMs) / 1000);
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}
