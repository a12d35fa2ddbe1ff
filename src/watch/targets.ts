import { matchesSpec, type WatchConfig } from '../config/schema.js';
import type { PollTarget } from './poller.js';

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
