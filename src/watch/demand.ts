import { Cron } from 'croner';
import type { Config } from '../config/schema.js';
import { formatDuration } from '../util/duration.js';
import { requestShapeKey, sharedPollKey } from './request-shape.js';

/** Runs sampled to take the mean interval of an irregular pattern (`0 9-18 * * 1-5`): a day's worth for most. */
const SAMPLE_RUNS = 24;
/** The slowest the client may throttle itself to: one request per request shape per minute. */
const FLOOR_INTERVAL_MS = 60_000;

/** What a config asks of the API's rate limit, once watches of one shape and schedule share their call. */
export interface PollDemand {
  /** Requests per second the daemon sends on schedule: one per shared poll per tick, plus policy reconcile. */
  requestsPerSecond: number;
  watches: number;
  /** Distinct request shapes (see requestShapeKey). */
  shapes: number;
  /** Distinct (shape, schedule, time zone): each makes one call per tick. */
  sharedPolls: number;
  /** Shortest and longest mean interval between a watch's polls, ms; undefined without watches. */
  intervalMs: { shortest: number; longest: number } | undefined;
  /** Requests per second the rate may never be throttled below: one per request shape (at least one) per minute. */
  floorPerSecond: number;
}

/**
 * The requests per second a config's schedules need, computed from `now` (calendar patterns vary with the date).
 * Policy reconcile is counted as one listing call per run: a page holds 100 instances, and its stop-time updates
 * are only sent when a stop time changes, which is rare next to the polls.
 */
export function pollDemand(config: Config, now: number): PollDemand {
  const interval = meanIntervals(now);
  const polls = new Map<string, number>();
  for (const watch of config.watches) {
    const timezone = watch.timezone ?? config.timezone;
    polls.set(sharedPollKey(watch, watch.schedule, timezone), interval(watch.schedule, timezone));
  }
  const intervals = [...polls.values()];
  const finite = intervals.filter(Number.isFinite);
  const reconciles = Object.keys(config.stopPolicies).length > 0 ? [interval(config.policyReconcile, config.timezone)] : [];
  const shapes = new Set(config.watches.map(requestShapeKey)).size;
  return {
    requestsPerSecond: [...intervals, ...reconciles].reduce((sum, ms) => sum + 1000 / ms, 0),
    watches: config.watches.length,
    shapes,
    sharedPolls: polls.size,
    intervalMs: finite.length ? { shortest: Math.min(...finite), longest: Math.max(...finite) } : undefined,
    // At least one: a config of stop policies alone still lists instances.
    floorPerSecond: (Math.max(shapes, 1) * 1000) / FLOOR_INTERVAL_MS,
  };
}

/**
 * The warning `config validate` and `run` print when `api.maxRequestsPerSecond` is below the demand, with the
 * numbers to size it by; undefined when the rate suffices.
 */
export function demandWarning(demand: PollDemand, maxRequestsPerSecond: number): string | undefined {
  // A sum of many 1/interval terms is off by rounding: 500 watches every 10 s are 50 requests/s, not 50.000000001.
  if (demand.requestsPerSecond <= maxRequestsPerSecond * (1 + 1e-9)) return undefined;
  const rate = demand.requestsPerSecond >= 1 ? demand.requestsPerSecond.toFixed(1) : demand.requestsPerSecond.toPrecision(2);
  const [shortest, longest] = [demand.intervalMs?.shortest ?? 0, demand.intervalMs?.longest ?? 0].map(formatDuration);
  const every = shortest === longest ? shortest : `${shortest} to ${longest}`;
  const watches = `${demand.watches} ${demand.watches === 1 ? 'watch' : 'watches'}`;
  const shapes = `${demand.shapes} request ${demand.shapes === 1 ? 'shape' : 'shapes'}`;
  return (
    `the watches need ${rate} requests/s (${watches} in ${shapes}, every ${every}) but api.maxRequestsPerSecond is ` +
    `${maxRequestsPerSecond}: polls will be late or dropped; raise it or slow the schedules`
  );
}

/** Mean ms between a pattern's next runs, each (pattern, zone) computed once. */
function meanIntervals(now: number): (schedule: string, timezone: string) => number {
  const known = new Map<string, number>();
  return (schedule, timezone) => {
    const key = `${schedule}\u0000${timezone}`;
    let ms = known.get(key);
    if (ms === undefined) {
      const runs = new Cron(schedule, { timezone, paused: true }).nextRuns(SAMPLE_RUNS + 1, new Date(now));
      // A pattern with a single run left (validation refuses none) asks nothing of the rate in the long run.
      ms = runs.length > 1 ? (runs.at(-1)!.getTime() - runs[0]!.getTime()) / (runs.length - 1) : Infinity;
      known.set(key, ms);
    }
    return ms;
  };
}
