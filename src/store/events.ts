import type { Db } from './db.js';

/** Something a user may want to hear about; `id` is stable, so a redelivery can be recognised downstream. */
export interface StoredEvent {
  seq: number;
  id: string;
  type: string;
  watch: string | null;
  payload: Record<string, unknown>;
  createdAt: number;
}

export type NewEvent = Omit<StoredEvent, 'seq'>;

export class EventRepository {
  private readonly insert;
  private readonly selectSince;

  constructor(db: Db) {
    this.insert = db.prepare<unknown[], { seq: number }>(
      `INSERT INTO events (id, type, watch, payload, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING RETURNING seq`,
    );
    this.selectSince = db.prepare<[number], { seq: number; id: string; type: string; watch: string | null; payload: string; created_at: number }>(
      'SELECT * FROM events WHERE created_at >= ? ORDER BY created_at DESC, seq DESC',
    );
  }

  /** Adds an event; returns its sequence number, or null when an event with that id already exists. */
  add(event: NewEvent): number | null {
    const row = this.insert.get(event.id, event.type, event.watch, JSON.stringify(event.payload), event.createdAt);
    return row?.seq ?? null;
  }

  /** Newest first. */
  list(since: number): StoredEvent[] {
    return this.selectSince.all(since).map((row) => ({
      seq: row.seq,
      id: row.id,
      type: row.type,
      watch: row.watch,
      payload: JSON.parse(row.payload) as Record<string, unknown>,
      createdAt: row.created_at,
    }));
  }
}
