import type { Db } from './db.js';
import type { WeeklyRollup } from './weekly-rollup.js';

export const MS_PER_HOUR = 3_600_000;

export interface PollRecord {
  watchId: number;
  at: number;
  latencyMs: number;
  error?: { kind: string; message: string; requestUuid: string | undefined } | undefined;
  /** Whether the poll changed anything; a successful poll that did not is only counted. */
  changed: boolean;
}

/**
 * Every poll is counted per hour (polls, errors, latency), which keeps availability percentages exact. A raw row
 * is kept only for a poll worth looking up later: a failure (with its kind, message and request id) or a poll
 * that changed state. A day of 10-second polling that changes nothing thus adds 24 rows, not 8,640.
 */
export class PollRepository {
  private readonly insertPoll;
  private readonly bumpWatchHour;
  private readonly bumpSpecHour;

  constructor(
    db: Db,
    private readonly rollup: WeeklyRollup,
  ) {
    this.insertPoll = db.prepare(
      `INSERT INTO polls (watch_id, at, latency_ms, error_kind, error_message, request_uuid)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.bumpWatchHour = db.prepare(
      `INSERT INTO hourly_watch (watch_id, hour, polls, errors, latency_ms_sum) VALUES (?, ?, 1, ?, ?)
       ON CONFLICT (watch_id, hour) DO UPDATE SET polls = polls + 1, errors = errors + excluded.errors,
         latency_ms_sum = latency_ms_sum + excluded.latency_ms_sum`,
    );
    this.bumpSpecHour = db.prepare(
      `INSERT INTO hourly_spec (spec_key_id, hour, polls, available) VALUES (?, ?, 1, ?)
       ON CONFLICT (spec_key_id, hour) DO UPDATE SET polls = polls + 1, available = available + excluded.available`,
    );
  }

  record(poll: PollRecord): void {
    const error = poll.error;
    if (error || poll.changed) this.insertPoll.run(poll.watchId, poll.at, poll.latencyMs, error?.kind ?? null, error?.message ?? null, error?.requestUuid ?? null);
    this.bumpWatchHour.run(poll.watchId, hourOf(poll.at), error ? 1 : 0, poll.latencyMs);
  }

  countReading(specKeyId: number, at: number, available: boolean): void {
    const hour = hourOf(at);
    this.bumpSpecHour.run(specKeyId, hour, available ? 1 : 0);
    this.rollup.counted(hour);
  }
}

export function hourOf(epochMs: number): number {
  return Math.floor(epochMs / MS_PER_HOUR);
}
