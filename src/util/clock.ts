/** Time as a parameter: production passes the system clock, tests a controllable one. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
