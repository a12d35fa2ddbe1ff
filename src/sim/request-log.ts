import type { FaultKind } from './faults.js';

/** One protocol request as the simulator saw and answered it. */
export interface RequestLogEntry {
  /** Sim time, unix seconds. */
  time: number;
  /** Wall clock (epoch ms, sub-ms precision) when the request arrived: sim time is too coarse to time a reaction. */
  receivedMs: number;
  /** Wall clock when the answer was sent; null while unanswered. */
  answeredMs: number | null;
  action: string;
  /** The flat wire params without `Signature`. */
  params: Record<string, string>;
  /** null when no envelope was sent (HTTP error, malformed body, hang); a lost answer has the one it did not send. */
  retCode: number | null;
  /** null while unanswered (a hang or lost answer stays unanswered). */
  httpStatus: number | null;
  fault: FaultKind | null;
}

/** Keeps the newest entries only, so a long-running demo does not grow without bound. */
const MAX_ENTRIES = 10_000;

/** The wall clock with sub-millisecond precision, in epoch ms. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Marks an entry answered with an HTTP status and, when an envelope was sent, its RetCode. */
export function recordAnswer(entry: RequestLogEntry, httpStatus: number, retCode: number | null): void {
  entry.httpStatus = httpStatus;
  entry.retCode = retCode;
  entry.answeredMs = wallClockMs();
}

/** The protocol requests received, oldest first, plus a count per action that outlives the entries' bound. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private readonly countByAction = new Map<string, number>();

  /** Adds an entry; the caller fills in the answer with recordAnswer() once it has answered. */
  record(entry: Pick<RequestLogEntry, 'time' | 'action' | 'params' | 'fault'>): RequestLogEntry {
    const unanswered = { answeredMs: null, retCode: null, httpStatus: null };
    const full: RequestLogEntry = { ...entry, receivedMs: wallClockMs(), ...unanswered };
    this.entries.push(full);
    if (this.entries.length > MAX_ENTRIES) this.entries.shift();
    this.countByAction.set(entry.action, (this.countByAction.get(entry.action) ?? 0) + 1);
    return full;
  }

  list(): RequestLogEntry[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  /** Requests received per action since the start or the last clear(), including entries the bound dropped. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.countByAction);
  }

  clear(): void {
    this.entries = [];
    this.countByAction.clear();
  }
}
