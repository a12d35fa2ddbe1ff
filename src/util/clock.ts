import { setMaxListeners } from 'node:events';

/** Time as a parameter: production passes the system clock, tests a controllable one. */
export interface Clock {
  /** Wall time in ms since the epoch: for timestamps and for calendar schedules, never for measuring a wait. */
  now(): number;
}

/**
 * A Clock that also measures intervals. A second reading, because the wall clock can step (NTP, a user, a VM
 * resumed) and a wait measured on it would then freeze or burst; whatever waits or spaces things out takes this.
 */
export interface IntervalClock extends Clock {
  /** Monotonic ms from an arbitrary origin; never steps with the wall clock. */
  monotonic(): number;
}

export const systemClock: IntervalClock = { now: () => Date.now(), monotonic: () => performance.now() };

/** A wait that ends early, without an error, once `signal` aborts: whoever stops a component ends its waits. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The timer-backed Sleep; an aborted wait clears its timer, so nothing holds the event loop after a stop. */
export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * The controller a component aborts to stop: every one of its waits listens to its signal, and a burst of calls or
 * a long list of jobs is more than EventTarget's default of 10 listeners without being a leak.
 */
export function stopController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
