import { Cron } from 'croner';
import type { Config, WatchConfig } from '../config/schema.js';

/** A watch is late once this many of its scheduled polls have passed without a successful one. */
export const LATE_AFTER_POLLS = 3;

/**
 * When a watch last polled successfully at `from` (or, never polled yet, the daemon started then) becomes late:
 * the LATE_AFTER_POLLS-th scheduled time after it, plus its jitter and the API timeout a poll may take. Counting
 * scheduled times rather than multiplying one interval keeps irregular schedules (weekdays only, office hours) right.
 */
export function lateAt(watch: WatchConfig, config: Config, from: number): number | null {
  const job = new Cron(watch.schedule, { paused: true, timezone: watch.timezone ?? config.timezone });
  try {
    const runs = job.nextRuns(LATE_AFTER_POLLS, new Date(from));
    const last = runs[LATE_AFTER_POLLS - 1];
    return last === undefined ? null : last.getTime() + watch.jitter + config.api.timeoutMs;
  } finally {
    job.stop();
  }
}
