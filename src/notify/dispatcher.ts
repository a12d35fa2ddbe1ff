import { createHash } from 'node:crypto';
import type { OutboxItem, OutboxRepository } from '../store/outbox.js';
import type { Clock } from '../util/clock.js';
import { printable } from '../util/printable.js';
import { WorkerLoop } from '../util/worker-loop.js';
import type { Logger } from '../log.js';
import { DeliveryError, type ChannelInstance, type RenderedMessage } from './channel.js';

export interface DispatchSettings {
  maxAttempts: number;
  /** A message due for longer than this is given up on instead of retried. */
  maxAgeMs: number;
  /** Retry backoff: base * 2^(attempts-1), capped. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How often due rows are looked for even without a wake-up (retries, held and grouped rows). */
  pollIntervalMs: number;
}

export const DEFAULT_DISPATCH_TIMING = { retryBaseMs: 5_000, retryMaxMs: 10 * 60_000, pollIntervalMs: 1_000 } as const;

/** The longest failure reason stored in the outbox and logged; a far end may answer with megabytes. */
export const MAX_ERROR_CHARS = 500;

/** What became of one message: accepted, left for a retry, or given up on. */
export type DeliveryResult = 'sent' | 'retry' | 'failed';
export type DeliveryListener = (channel: string, result: DeliveryResult) => void;

/** Renders the events of one batch (oldest first) into a message. */
export type Renderer = (events: OutboxItem['event'][]) => RenderedMessage;

/**
 * The outbox worker: sends due rows as messages, one per (channel, watch) batch, retries failures with capped
 * exponential backoff, gives up after maxAttempts or maxAge (recorded with the reason), and picks up where it left
 * off after a restart. A row is marked sent only after its channel accepted it, so delivery is at least once.
 *
 * A batch's rows and delivery id are frozen (stored) before its first attempt and every retry sends exactly that
 * message again, so each event reaches a channel under one delivery id; events that arrive meanwhile form a new
 * message. Each channel's messages go out in the order of their oldest event: while one waits for its retry, the
 * later ones wait behind it, so the last message a chat shows is never older than the one before it.
 */
export class Dispatcher {
  private readonly loop: WorkerLoop;
  private readonly reported = new Set<string>();
  private readonly deliveryListeners = new Set<DeliveryListener>();

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly channels: ReadonlyMap<string, ChannelInstance>,
    private readonly render: Renderer,
    private readonly settings: DispatchSettings,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.loop = new WorkerLoop((signal) => this.drain(signal), {
      intervalMs: settings.pollIntervalMs,
      // A storage error must not kill the daemon; the rows are still there for the next pass.
      onError: (error) => this.log.error({ err: error }, 'notification pass failed'),
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Calls `listener` with each message's outcome from now on (for metrics); the returned function stops that. */
  onDelivery(listener: DeliveryListener): () => void {
    const subscription: DeliveryListener = (channel, result) => listener(channel, result);
    this.deliveryListeners.add(subscription);
    return () => {
      this.deliveryListeners.delete(subscription);
    };
  }

  /** Looks for due rows now (after an event was committed, say); coalesces with a pass already under way. */
  wake(): void {
    this.loop.wake();
  }

  /**
   * Stops looking for work and waits for the sends under way (each bounded by its channel's timeout); batches not
   * yet started stay in the outbox for the next start, so a channel that is down cannot stretch a shutdown.
   */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass over everything due; exposed so tests and `notify` can drive it directly. */
  async drain(signal?: AbortSignal): Promise<void> {
    const now = this.clock.now();
    const byChannel = new Map<string, OutboxItem[][]>();
    for (const batch of batchesOf(this.outbox.due(now), this.outbox.backingOff(now))) {
      const channel = batch[0]!.channel;
      byChannel.set(channel, [...(byChannel.get(channel) ?? []), batch]);
    }
    // Channels in parallel; one channel's batches in order, so a slow SMTP server delays only email.
    await Promise.all([...byChannel.values()].map(async (channelBatches) => {
      for (const batch of channelBatches) {
        if (signal?.aborted) return;
        // A message left to retry holds back the later ones: they would overtake it.
        if ((await this.deliver(batch)) === 'retry') return;
      }
    }));
  }

  private async deliver(batch: OutboxItem[]): Promise<DeliveryResult> {
    const result = await this.attempt(batch);
    for (const listener of this.deliveryListeners) listener(batch[0]!.channel, result);
    return result;
  }

  private async attempt(batch: OutboxItem[]): Promise<DeliveryResult> {
    const name = batch[0]!.channel;
    const ids = batch.map((item) => item.id);
    const channel = this.channels.get(name);
    if (!channel) {
      this.outbox.markFailed(ids, `notifier "${name}" is no longer configured`);
      return 'failed';
    }
    // A new message's id: its channel and oldest event (a row is in one message per channel, so no two messages of a
    // channel share it), namespaced by the database's random install id so that two databases never collide.
    const deliveryId = batch[0]!.deliveryId ?? deliveryIdOf(this.outbox.installId, name, batch[0]!.event.seq);
    // Stored before the send: a crash or a lost answer retries this very message, id and all.
    this.outbox.assignDelivery(ids, deliveryId);
    try {
      await channel.send({ message: this.render(batch.map((item) => item.event)), deliveryId });
      this.outbox.markSent(ids, this.clock.now());
      this.reported.delete(name);
      this.log.info({ channel: name, deliveryId, events: batch.map((item) => item.event.id) }, 'notification sent');
      return 'sent';
    } catch (error) {
      return this.recordFailure(name, batch, error);
    }
  }

  /** A batch is one message: retried or given up on as a whole, by its tries and the age of its oldest row. */
  private recordFailure(name: string, batch: OutboxItem[], error: unknown): 'retry' | 'failed' {
    const message = printable(error instanceof Error ? error.message : String(error), MAX_ERROR_CHARS);
    const now = this.clock.now();
    const ids = batch.map((item) => item.id);
    const attempts = Math.max(...batch.map((item) => item.attempts));
    const firstDueAt = Math.min(...batch.map((item) => item.firstDueAt));
    const permanent = error instanceof DeliveryError && error.permanent;
    if (permanent || attempts + 1 >= this.settings.maxAttempts || now - firstDueAt >= this.settings.maxAgeMs) {
      this.outbox.markFailed(ids, message);
      const why = permanent ? 'cannot be delivered' : 'gave up after the last attempt';
      // A channel that is down stays down for many events: say so once until it works again.
      if (!this.reported.has(name)) this.log.error({ channel: name, err: message }, `notification ${why}`);
      this.reported.add(name);
      return 'failed';
    }
    const delay = Math.min(this.settings.retryMaxMs, this.settings.retryBaseMs * 2 ** attempts);
    this.outbox.markRetry(ids, now + delay, message);
    this.log.warn({ channel: name, alerts: batch.length, err: message }, 'notification failed; will retry');
    return 'retry';
  }
}

/**
 * The due rows as messages, in the order of their oldest event: rows already tried as one message stay that
 * message; the others group by watch (reminders apart). Rows newer than a message that waits for its retry are
 * left for later (`backingOff`: channel to that message's oldest event).
 */
function batchesOf(due: readonly OutboxItem[], backingOff: ReadonlyMap<string, number>): OutboxItem[][] {
  const batches = new Map<string, OutboxItem[]>();
  for (const item of due) {
    const frozen = item.deliveryId !== null;
    if (!frozen && item.event.seq > (backingOff.get(item.channel) ?? Infinity)) continue;
    const key = frozen
      ? `${item.channel}\u0000sent as\u0000${item.deliveryId}`
      : `${item.channel}\u0000${item.watch ?? ''}\u0000${item.event.type === 'capacity.reminder'}`;
    batches.set(key, [...(batches.get(key) ?? []), item]);
  }
  return [...batches.values()].filter((batch) => batch[0]!.event.seq < (backingOff.get(batch[0]!.channel) ?? Infinity));
}

/** A delivery id: the same parts always give the same id (a redelivery is recognised), other parts another. */
export function deliveryIdOf(...parts: ReadonlyArray<string | number>): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);
}
