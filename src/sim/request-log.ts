import type { FaultKind } from './faults.js';

/** One protocol request as the simulator saw and answered it. */
export interface RequestLogEntry {
  /** Sim time, unix seconds. */
  time: number;
  action: string;
  /** The flat wire params without `Signature`. */
  params: Record<string, string>;
  /** null when no envelope was sent (HTTP error, malformed body, hang). */
  retCode: number | null;
  /** null while unanswered (a hang stays unanswered). */
  httpStatus: number | null;
  fault: FaultKind | null;
}

/** Keeps the newest entries only, so a long-running demo does not grow without bound. */
const MAX_ENTRIES = 10_000;

/** The protocol requests received, oldest first. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];

  /** Adds an entry; the caller fills in `retCode` and `httpStatus` once it has answered. */
  record(entry: Omit<RequestLogEntry, 'retCode' | 'httpStatus'>): RequestLogEntry {
    const full: RequestLogEntry = { ...entry, retCode: null, httpStatus: null };
    this.entries.push(full);
    if (this.entries.length > MAX_ENTRIES) this.entries.shift();
    return full;
  }

  list(): RequestLogEntry[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  clear(): void {
    this.entries = [];
  }
}
