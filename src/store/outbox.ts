import type { Db } from './db.js';

/** An outbox row joined with its event, as the dispatcher needs it. */
export interface OutboxItem {
  id: number;
  channel: string;
  watch: string | null;
  attempts: number;
  /** When it was first due: its age counts from then, not from time spent held by quiet hours. */
  firstDueAt: number;
  /** Set when its message was first tried: a retry sends exactly the rows of that id again. */
  deliveryId: string | null;
  event: { seq: number; id: string; type: string; payload: Record<string, unknown>; createdAt: number };
}

export interface OutboxSummaryRow {
  channel: string;
  status: 'pending' | 'sent' | 'failed';
  count: number;
  oldestAt: number | null;
}

export interface OutboxListRow {
  id: number;
  channel: string;
  watch: string | null;
  eventId: string;
  eventType: string;
  status: 'pending' | 'failed';
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  lastError: string | null;
}

interface ItemRow {
  id: number;
  channel: string;
  watch: string | null;
  attempts: number;
  first_due_at: number;
  delivery_id: string | null;
  seq: number;
  event_id: string;
  type: string;
  payload: string;
  event_created_at: number;
}

/** The notification queue: written in the event's transaction, drained by the dispatcher. */
export class OutboxRepository {
  /** Random per database, made once by migration 4: delivery ids and Message-IDs are unique to this database. */
  readonly installId: string;
  private readonly insert;
  private readonly selectPendingFor;
  private readonly selectLastSent;
  private readonly selectDue;
  private readonly selectBackingOff;
  private readonly assignDeliveryStatement;
  private readonly markSentStatement;
  private readonly markRetryStatement;
  private readonly markFailedStatement;
  private readonly selectSummary;
  private readonly selectOpen;

  constructor(private readonly db: Db) {
    this.installId = (db.prepare(`SELECT value FROM meta WHERE key = 'install_id'`).get() as { value: string }).value;
    this.insert = db.prepare(
      `INSERT INTO outbox (event_seq, channel, watch, status, next_attempt_at, first_due_at, created_at)
       VALUES (?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (event_seq, channel) DO NOTHING`,
    );
    this.selectPendingFor = db.prepare<[string, string | null], { at: number | null }>(
      `SELECT MIN(next_attempt_at) AS at FROM outbox
       WHERE channel = ? AND watch IS ? AND status = 'pending' AND attempts = 0`,
    );
    this.selectLastSent = db.prepare<[string, string | null], { at: number | null }>(
      `SELECT MAX(sent_at) AS at FROM outbox WHERE channel = ? AND watch IS ? AND status = 'sent'`,
    );
    this.selectDue = db.prepare<[number], ItemRow>(
      `SELECT o.id, o.channel, o.watch, o.attempts, o.first_due_at, o.delivery_id, e.seq, e.id AS event_id, e.type,
         e.payload, e.created_at AS event_created_at
       FROM outbox o JOIN events e ON e.seq = o.event_seq
       WHERE o.status = 'pending' AND o.next_attempt_at <= ? ORDER BY o.channel, e.seq`,
    );
    this.selectBackingOff = db.prepare<[number], { channel: string; seq: number }>(
      `SELECT channel, MIN(event_seq) AS seq FROM outbox
       WHERE status = 'pending' AND delivery_id IS NOT NULL AND next_attempt_at > ? GROUP BY channel`,
    );
    this.assignDeliveryStatement = db.prepare('UPDATE outbox SET delivery_id = ? WHERE id = ? AND delivery_id IS NULL');
    this.markSentStatement = db.prepare(`UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?`);
    this.markRetryStatement = db.prepare('UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?');
    this.markFailedStatement = db.prepare(`UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?`);
    this.selectSummary = db.prepare<[], OutboxSummaryRow>(
      `SELECT channel, status, COUNT(*) AS count, MIN(created_at) AS oldestAt FROM outbox GROUP BY channel, status ORDER BY channel, status`,
    );
    this.selectOpen = db.prepare<[], Record<string, unknown>>(
      `SELECT o.id, o.channel, o.watch, e.id AS event_id, e.type, o.status, o.attempts, o.next_attempt_at, o.created_at, o.last_error
       FROM outbox o JOIN events e ON e.seq = o.event_seq WHERE o.status IN ('pending', 'failed') ORDER BY o.created_at DESC, o.id DESC`,
    );
  }

  enqueue(eventSeq: number, channel: string, watch: string | null, dueAt: number, now: number): void {
    this.insert.run(eventSeq, channel, watch, dueAt, dueAt, now);
  }

  /** When the not-yet-tried rows of this channel and watch are due, if any: a newcomer joins that message. */
  pendingDueAt(channel: string, watch: string | null): number | null {
    return this.selectPendingFor.get(channel, watch)?.at ?? null;
  }

  lastSentAt(channel: string, watch: string | null): number | null {
    return this.selectLastSent.get(channel, watch)?.at ?? null;
  }

  due(now: number): OutboxItem[] {
    return this.selectDue.all(now).map((row) => ({
      id: row.id,
      channel: row.channel,
      watch: row.watch,
      attempts: row.attempts,
      firstDueAt: row.first_due_at,
      deliveryId: row.delivery_id,
      event: {
        seq: row.seq,
        id: row.event_id,
        type: row.type,
        payload: JSON.parse(row.payload) as Record<string, unknown>,
        createdAt: row.event_created_at,
      },
    }));
  }

  /**
   * Per channel, the oldest event whose message failed and waits for its retry: later rows of that channel wait
   * behind it, so messages arrive in event order.
   */
  backingOff(now: number): Map<string, number> {
    return new Map(this.selectBackingOff.all(now).map((row) => [row.channel, row.seq]));
  }

  /** Freezes these rows into one message with this id, before it is first sent; rows that have one keep it. */
  assignDelivery(ids: readonly number[], deliveryId: string): void {
    this.each(ids, (id) => this.assignDeliveryStatement.run(deliveryId, id));
  }

  markSent(ids: readonly number[], at: number): void {
    this.each(ids, (id) => this.markSentStatement.run(at, id));
  }

  markRetry(ids: readonly number[], nextAttemptAt: number, error: string): void {
    this.each(ids, (id) => this.markRetryStatement.run(nextAttemptAt, error, id));
  }

  markFailed(ids: readonly number[], error: string): void {
    this.each(ids, (id) => this.markFailedStatement.run(error, id));
  }

  summary(): OutboxSummaryRow[] {
    return this.selectSummary.all();
  }

  /** Rows not yet delivered (pending) or given up on (failed), newest first. */
  open(): OutboxListRow[] {
    return this.selectOpen.all().map((row) => ({
      id: row.id as number,
      channel: row.channel as string,
      watch: row.watch as string | null,
      eventId: row.event_id as string,
      eventType: row.type as string,
      status: row.status as 'pending' | 'failed',
      attempts: row.attempts as number,
      nextAttemptAt: row.next_attempt_at as number,
      createdAt: row.created_at as number,
      lastError: row.last_error as string | null,
    }));
  }

  /** One message's rows change together or not at all. */
  private each(ids: readonly number[], update: (id: number) => void): void {
    this.db.transaction(() => ids.forEach(update))();
  }
}
