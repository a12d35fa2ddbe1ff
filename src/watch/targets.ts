import { matchesSpec, type WatchConfig } from '../config/schema.js';
import type { PollTarget } from './poller.js';
import { sharedPollKey } from './request-shape.js';

/** Maps a configured watch to what the poller needs. */
export function pollTargetOf(watch: WatchConfig): PollTarget {
  return {
    name: watch.name,
    zone: watch.zone,
    gpuType: watch.gpuType,
    request: watch,
    detector: {
      confirmUp: watch.confirmUp,
      confirmDown: watch.confirmDown,
      blindAfterMs: watch.blindAfter,
      remindEveryMs: watch.repeatEvery,
      tracks: (key) => matchesSpec(watch.match, key),
    },
  };
}

/** Watches that ask the API the same question on the same schedule: one call per tick answers all of them. */
export interface SharedPoll {
  schedule: string;
  timezone: string;
  /** The smallest jitter among them: sharing a call must not make any watch later than it asked. */
  jitterMs: number;
  targets: PollTarget[];
}

/** Groups watches by request shape, schedule and time zone (`timezone` for those that name none), in config order. */
export function sharedPollsOf(watches: readonly WatchConfig[], timezone: string): SharedPoll[] {
  const polls = new Map<string, SharedPoll>();
  for (const watch of watches) {
    const zone = watch.timezone ?? timezone;
    const key = sharedPollKey(watch, watch.schedule, zone);
    const poll = polls.get(key);
    if (poll === undefined) {
      polls.set(key, { schedule: watch.schedule, timezone: zone, jitterMs: watch.jitter, targets: [pollTargetOf(watch)] });
    } else {
      poll.jitterMs = Math.min(poll.jitterMs, watch.jitter);
      poll.targets.push(pollTargetOf(watch));
    }
  }
  return [...polls.values()];
}
