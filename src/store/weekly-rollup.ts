import type { Db } from './db.js';
import { StoreError } from './errors.js';
import { MS_PER_HOUR } from './polls.js';
import type { KeyTransition } from './stats.js';
import { int32sLE, uint32sLE } from '../util/little-endian.js';

export const HOURS_PER_WEEK = 168;
/**
 * An hour is copied into its week's blob this long after it ended, not at once: a poll sent just before the hour
 * ended is recorded when its answer comes, which the request timeout bounds well inside this.
 */
export const COPY_AFTER_MS = 10 * 60_000;
/**
 * One step copies a range of hours for at most KEYS_PER_STEP keys, about ROWS_PER_STEP hourly rows. A step is one
 * transaction on the daemon's event loop; at this size it takes tens of ms, so neither the hourly copy of 5,000 keys
 * (500 watches: 0.3 s in one step) nor catching up on months of history after an upgrade stalls polling.
 */
const ROWS_PER_STEP = 20_000;
const KEYS_PER_STEP = 250;
/** 168 polls counters, then 168 available counters, each a little-endian uint32. */
const BLOB_BYTES = HOURS_PER_WEEK * 8;
const AVAILABLE_OFFSET = HOURS_PER_WEEK * 4;
const MS_PER_WEEK = HOURS_PER_WEEK * MS_PER_HOUR;
/** Later than any transition: the open end of a range. */
const NO_END = 8.64e15;
/** Before any hour: the open start of a range. */
const NO_START = Number.MIN_SAFE_INTEGER;

/** A key's counters per epoch hour: polls[i] and available[i] are those of hour firstHour + i (0 polls: no data). */
export interface HourSeries {
  firstHour: number;
  polls: Uint32Array;
  available: Uint32Array;
}

/** A key's history over a reader's period. */
export interface KeyHistory {
  series: HourSeries;
  /** Ascending: every transition from the period's first hour on, after the last one before it (its start state). */
  transitions: KeyTransition[];
}

/** The hours the weekly blobs hold, for every key: fromHour <= hour < toHour. */
interface CopiedHours {
  fromHour: number;
  toHour: number;
}

/** Hours [from, end) being copied key by key, continuing the mark `mark`; keys up to `afterKey` have them. */
interface CopyRange {
  mark: number;
  from: number;
  end: number;
  afterKey: number;
}

type HourRow = [hour: number, polls: number, available: number];
type WeekRow = [week: number, counts: Buffer, flips: Buffer];
/** A transition as one number, at x 2 + 1 when it became available: one number a row reads twice as fast as an object. */
type PackedTransition = number;

/**
 * The weekly copy of the hourly counters and the transitions (migration 006): the daemon copies complete hours into
 * it step by step, readers take the blobs for the hours they hold and the hourly rows for the rest, so what they
 * read is the same either way. A write into an hour already copied (the wall clock stepped back) moves `toHour` back to it, and
 * the next step copies from there again; copying an hour sets its slots, so copying twice does no harm.
 */
export class WeeklyRollup {
  private readonly selectCopied;
  private readonly insertCopied;
  private readonly updateCopied;
  private readonly selectKeys;
  private readonly selectKeysAfter;
  private readonly selectKeyNextHour;
  private readonly selectHours;
  private readonly selectTransitions;
  private readonly selectLastTransitionBefore;
  private readonly selectWeek;
  private readonly selectWeeks;
  private readonly upsertWeek;
  private readonly deleteWeeks;
  /** What this connection last read or wrote of `weekly_rollup`, for the check on every counted reading. */
  #copied: CopiedHours | null;
  /**
   * The range the last step left half done. In memory only: after a restart the range is copied again from its
   * first key, which copying twice allows; readers go by the mark, which moves only once every key has it.
   */
  #range: CopyRange | undefined;

  constructor(
    db: Db,
    private readonly transaction: <T>(work: () => T) => T,
  ) {
    this.selectCopied = db.prepare<[], CopiedHours>('SELECT from_hour AS fromHour, to_hour AS toHour FROM weekly_rollup WHERE id = 1');
    this.insertCopied = db.prepare('INSERT INTO weekly_rollup (id, from_hour, to_hour) VALUES (1, ?, ?)');
    this.updateCopied = db.prepare('UPDATE weekly_rollup SET from_hour = ?, to_hour = ? WHERE id = 1');
    this.selectKeys = db.prepare<[], number>('SELECT id FROM spec_keys ORDER BY id').pluck();
    this.selectKeysAfter = db.prepare<[number, number], number>('SELECT id FROM spec_keys WHERE id > ? ORDER BY id LIMIT ?').pluck();
    this.selectKeyNextHour = db
      .prepare<[number, number], number | null>('SELECT MIN(hour) FROM hourly_spec WHERE spec_key_id = ? AND hour >= ?')
      .pluck();
    this.selectHours = db
      .prepare<[number, number, number], HourRow>('SELECT hour, polls, available FROM hourly_spec WHERE spec_key_id = ? AND hour >= ? AND hour < ?')
      .raw();
    const packed = "at * 2 + (to_state = 'available')";
    this.selectTransitions = db
      .prepare<[number, number, number], PackedTransition>(`SELECT ${packed} FROM transitions WHERE spec_key_id = ? AND at >= ? AND at < ? ORDER BY at, id`)
      .pluck();
    this.selectLastTransitionBefore = db
      .prepare<[number, number], PackedTransition>(`SELECT ${packed} FROM transitions WHERE spec_key_id = ? AND at < ? ORDER BY at DESC, id DESC LIMIT 1`)
      .pluck();
    this.selectWeek = db.prepare<[number, number], WeekRow>('SELECT week, counts, flips FROM weekly_spec WHERE spec_key_id = ? AND week = ?').raw();
    this.selectWeeks = db
      .prepare<[number, number, number], WeekRow>('SELECT week, counts, flips FROM weekly_spec WHERE spec_key_id = ? AND week >= ? AND week <= ?')
      .raw();
    this.upsertWeek = db.prepare(
      `INSERT INTO weekly_spec (spec_key_id, week, counts, flips) VALUES (?, ?, ?, ?)
       ON CONFLICT (spec_key_id, week) DO UPDATE SET counts = excluded.counts, flips = excluded.flips`,
    );
    this.deleteWeeks = db.prepare(`DELETE FROM weekly_spec WHERE (week + 1) * ${HOURS_PER_WEEK} <= ?`);
    this.#copied = this.selectCopied.get() ?? null;
  }

  /**
   * Called for every counted reading and transition, inside its transaction: one of an hour already copied (the
   * clock went back) has that hour copied again. Rolling back with the reading leaves `toHour` lowered here only,
   * which makes the next step copy more than it needed to, nothing worse.
   */
  counted(hour: number): void {
    const copied = this.#copied;
    if (copied === null || hour >= copied.toHour || hour < copied.fromHour) return;
    this.#write({ fromHour: copied.fromHour, toHour: hour });
  }

  /**
   * Copies the next complete hours into the weekly blobs, for the next KEYS_PER_STEP keys; the mark moves once every
   * key has the range. Returns whether more is ready to copy, so a caller loops, yielding between steps.
   */
  copyStep(nowMs: number): boolean {
    // The range's progress is kept once the step commits: a step that rolled back has copied nothing.
    const { more, range } = this.transaction((): { more: boolean; range: CopyRange | undefined } => {
      const readyBefore = Math.floor((nowMs - COPY_AFTER_MS) / MS_PER_HOUR);
      const copied = this.selectCopied.get() ?? this.#start();
      if (copied === null || copied.toHour >= readyBefore) return { more: false, range: undefined };
      // A range under way goes on unless the mark moved meanwhile (a reading went back into copied hours).
      const current = this.#range?.mark === copied.toHour ? this.#range : this.#nextRange(copied.toHour, readyBefore);
      const keys = this.selectKeysAfter.all(current.afterKey, KEYS_PER_STEP);
      for (const key of keys) this.#copyKey(key, current.from, current.end);
      if (keys.length === KEYS_PER_STEP) return { more: true, range: { ...current, afterKey: keys.at(-1)! } };
      this.#write({ fromHour: copied.fromHour, toHour: current.end });
      return { more: current.end < readyBefore, range: undefined };
    });
    this.#range = range;
    return more;
  }

  /** The hours the next range copies: from the first hour any key has a row for, ROWS_PER_STEP rows a step. */
  #nextRange(toHour: number, readyBefore: number): CopyRange {
    const keys = this.selectKeys.all();
    // Hours no key has a row for need no copy: a clock that jumped years ahead is caught up in one step, not 20,000.
    const from = Math.min(this.#earliestHour(keys, toHour), readyBefore);
    const hours = Math.max(1, Math.min(HOURS_PER_WEEK, Math.floor(ROWS_PER_STEP / Math.max(1, Math.min(keys.length, KEYS_PER_STEP)))));
    return { mark: toHour, from, end: Math.min(readyBefore, from + hours), afterKey: 0 };
  }

  /** The first copy starts at the oldest hourly row; null while there is none. */
  #start(): CopiedHours | null {
    const first = this.#earliestHour(this.selectKeys.all(), NO_START);
    if (first === Infinity) return null;
    const copied = { fromHour: first, toHour: first };
    this.insertCopied.run(first, first);
    this.#copied = copied;
    return copied;
  }

  /** The first hour at or after `hour` that any of `keys` has a row for (Infinity: none): one index seek a key. */
  #earliestHour(keys: readonly number[], hour: number): number {
    return keys.reduce((earliest, key) => Math.min(earliest, this.selectKeyNextHour.get(key, hour) ?? Infinity), Infinity);
  }

  #copyKey(key: number, from: number, to: number): void {
    const rows = this.selectHours.all(key, from, to);
    const flips = this.selectTransitions.all(key, from * MS_PER_HOUR, to * MS_PER_HOUR);
    if (rows.length === 0 && flips.length === 0) return;
    for (let week = Math.floor(from / HOURS_PER_WEEK); week * HOURS_PER_WEEK < to; week++) {
      const weekStart = week * HOURS_PER_WEEK;
      const first = Math.max(from, weekStart);
      const end = Math.min(to, weekStart + HOURS_PER_WEEK);
      const hoursInWeek = rows.filter(([hour]) => hour >= first && hour < end);
      const flipsInWeek = flips.filter((flip) => flip >= 2 * first * MS_PER_HOUR && flip < 2 * end * MS_PER_HOUR);
      if (hoursInWeek.length === 0 && flipsInWeek.length === 0) continue;
      const existing = this.selectWeek.get(key, week);
      const counts = Buffer.alloc(BLOB_BYTES);
      if (existing !== undefined) countsOf(existing, key).copy(counts);
      // The hours being copied are set from their rows (or zero), so copying an hour again does not add.
      counts.fill(0, (first - weekStart) * 4, (end - weekStart) * 4);
      counts.fill(0, AVAILABLE_OFFSET + (first - weekStart) * 4, AVAILABLE_OFFSET + (end - weekStart) * 4);
      for (const [hour, polls, available] of hoursInWeek) {
        counts.writeUInt32LE(polls, (hour - weekStart) * 4);
        counts.writeUInt32LE(available, AVAILABLE_OFFSET + (hour - weekStart) * 4);
      }
      // Likewise the transitions: those of other hours are kept, those of these hours replaced, in order.
      const kept: PackedTransition[] = [];
      if (existing !== undefined) appendFlips(kept, existing, key);
      const merged = [
        ...kept.filter((flip) => flip < 2 * first * MS_PER_HOUR),
        ...flipsInWeek,
        ...kept.filter((flip) => flip >= 2 * end * MS_PER_HOUR),
      ];
      this.upsertWeek.run(key, week, counts, encodeFlips(merged, week));
    }
  }

  /**
   * After the rows before `cutoff` (epoch ms) are pruned: weeks wholly before it go, and the blobs are read from the
   * first whole hour after it on; the hour it falls in is read from what the tables kept of it.
   */
  pruned(cutoff: number): number {
    const removed = this.deleteWeeks.run(Math.floor(cutoff / MS_PER_HOUR)).changes;
    const fromHour = Math.ceil(cutoff / MS_PER_HOUR);
    const copied = this.selectCopied.get();
    if (copied !== undefined && copied.fromHour < fromHour) this.#write({ fromHour, toHour: Math.max(copied.toHour, fromHour) });
    return removed;
  }

  /**
   * A reader of keys' history over [firstHour, lastHour], from the blobs for the hours they hold and the hourly
   * rows and transitions for the others. A period starting before the copied hours starts each series at the key's
   * first hourly row if that is later, so a reader over the whole history (firstHour 0) does not allocate 50 years
   * of hours.
   */
  reader(firstHour: number, lastHour: number): (specKeyId: number) => KeyHistory {
    const copied = this.selectCopied.get();
    return (specKeyId) => {
      const end = lastHour + 1;
      // A period that starts within the copied hours needs no query for where the key's rows start.
      const first =
        copied !== undefined && firstHour >= copied.fromHour ? firstHour : Math.max(firstHour, this.selectKeyNextHour.get(specKeyId, NO_START) ?? end);
      const length = Math.max(0, end - first);
      const series: HourSeries = { firstHour: first, polls: new Uint32Array(length), available: new Uint32Array(length) };
      const from = copied === undefined ? end : Math.min(end, Math.max(first, copied.fromHour));
      const to = copied === undefined ? end : Math.max(from, Math.min(end, copied.toHour));
      const flips: PackedTransition[] = [];
      const before = this.selectLastTransitionBefore.get(specKeyId, firstHour * MS_PER_HOUR);
      if (before !== undefined) flips.push(before);
      if (firstHour < from) for (const flip of this.selectTransitions.all(specKeyId, firstHour * MS_PER_HOUR, from * MS_PER_HOUR)) flips.push(flip);
      this.#readHours(series, specKeyId, first, from);
      if (from < to) this.#readWeeks(series, flips, specKeyId, from, to);
      this.#readHours(series, specKeyId, to, end);
      // Spread into push would put every transition of a long uncopied history on the stack at once.
      for (const flip of this.selectTransitions.all(specKeyId, to * MS_PER_HOUR, NO_END)) flips.push(flip);
      return { series, transitions: flips.map(unpack) };
    };
  }

  #readHours(series: HourSeries, key: number, from: number, to: number): void {
    if (from >= to) return;
    for (const [hour, polls, available] of this.selectHours.all(key, from, to)) {
      series.polls[hour - series.firstHour] = polls;
      series.available[hour - series.firstHour] = available;
    }
  }

  #readWeeks(series: HourSeries, flips: PackedTransition[], key: number, from: number, to: number): void {
    for (const row of this.selectWeeks.all(key, Math.floor(from / HOURS_PER_WEEK), Math.floor((to - 1) / HOURS_PER_WEEK))) {
      const counts = countsOf(row, key);
      const weekStart = row[0] * HOURS_PER_WEEK;
      const first = Math.max(from, weekStart) - weekStart;
      const last = Math.min(to, weekStart + HOURS_PER_WEEK) - weekStart;
      const at = weekStart + first - series.firstHour;
      series.polls.set(uint32sLE(counts, 0, HOURS_PER_WEEK).subarray(first, last), at);
      series.available.set(uint32sLE(counts, AVAILABLE_OFFSET, HOURS_PER_WEEK).subarray(first, last), at);
      appendFlips(flips, row, key, 2 * from * MS_PER_HOUR, 2 * to * MS_PER_HOUR);
    }
  }

  #write(copied: CopiedHours): void {
    this.updateCopied.run(copied.fromHour, copied.toHour);
    this.#copied = copied;
  }
}

/** A week's counts blob; one of the wrong size is a damaged database, said as such rather than read as garbage. */
function countsOf([week, counts]: WeekRow, key: number): Buffer {
  if (!Buffer.isBuffer(counts) || counts.byteLength !== BLOB_BYTES) throw damaged(key, week, `counts is not ${BLOB_BYTES} bytes`);
  return counts;
}

/**
 * Appends to `into` a week's transitions packed in [from, to), in order. They are stored as little-endian int32s:
 * each packed transition less twice the week's start (ms).
 */
function appendFlips(into: PackedTransition[], [week, , flips]: WeekRow, key: number, from = -Infinity, to = Infinity): void {
  if (!Buffer.isBuffer(flips) || flips.byteLength % 4 !== 0) throw damaged(key, week, 'flips is not a list of int32');
  const base = 2 * week * MS_PER_WEEK;
  const offsets = int32sLE(flips, 0, flips.byteLength / 4);
  for (let index = 0; index < offsets.length; index++) {
    const flip = base + offsets[index]!;
    if (flip >= from && flip < to) into.push(flip);
  }
}

function encodeFlips(flips: readonly PackedTransition[], week: number): Buffer {
  const base = 2 * week * MS_PER_WEEK;
  const encoded = Buffer.alloc(4 * flips.length);
  // Within a week a packed transition is under 2 x 604,800,000, which fits an int32.
  flips.forEach((flip, index) => encoded.writeInt32LE(flip - base, 4 * index));
  return encoded;
}

function unpack(flip: PackedTransition): KeyTransition {
  return { to: flip % 2 === 1 ? 'available' : 'soldout', at: Math.floor(flip / 2) };
}

function damaged(key: number, week: number, what: string): StoreError {
  return new StoreError(`the history database is damaged: weekly_spec row (spec key ${key}, week ${week}): ${what}`);
}
