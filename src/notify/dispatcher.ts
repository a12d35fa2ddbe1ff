import { createHash } from 'node:crypto';
import type { OutboxItem, OutboxRepository } from '../store/outbox.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../log.js';
import { DeliveryError, type ChannelInstance, type RenderedMessage } from './channel.js';

export interface DispatchSettings {
  maxAttempts: number;
  /** A row due for longer than this is given up on instead of retried. */
  maxAgeMs: number;
  /** Retry backoff: base * 2^(attempts-1), capped. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How often due rows are looked for even without a wake-up (retries, held and grouped rows). */
  pollIntervalMs: number;
}

export const DEFAULT_DISPATCH_TIMING = { retryBaseMs: 5_000, retryMaxMs: 10 * 60_000, pollIntervalMs: 1_000 } as const;

/** Renders the events of one batch (oldest first) into a message. */
export type Renderer = (events: OutboxItem['event'][]) => RenderedMessage;

/**
 * The outbox worker: sends due rows, one message per (channel, watch) batch, retries failures with capped
 * exponential backoff, gives up after maxAttempts or maxAge (recorded with the reason), and picks up where it left
 * off after a restart. A row is marked sent only after its channel accepted it, so delivery is at least once; the
 * delivery id is derived from the batch, so a redelivery carries the same id.
 */
export class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopping = false;
  private readonly reported = new Set<string>();

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly channels: ReadonlyMap<string, ChannelInstance>,
    private readonly render: Renderer,
    private readonly settings: DispatchSettings,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.wake(), this.settings.pollIntervalMs);
    this.wake();
  }

  /** Looks for due rows now (after an event was committed, say); coalesces with a pass already under way. */
  wake(): void {
    if (this.stopping) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      // A storage error must not kill the daemon; the rows are still there for the next pass.
      .catch((error: unknown) => this.log.error({ err: error }, 'notification pass failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /**
   * Stops looking for work and waits for the sends under way (each bounded by its channel's timeout); batches not
   * yet started stay in the outbox for the next start, so a channel that is down cannot stretch a shutdown.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.again = false;
    await this.running;
  }

  /** One pass over everything due; exposed so tests and `notify` can drive it directly. */
  async drain(): Promise<void> {
    const batches = new Map<string, OutboxItem[]>();
    for (const item of this.outbox.due(this.clock.now())) {
      const key = `${item.channel}\u0000${item.watch ?? ''}\u0000${item.event.type === 'capacity.reminder'}`;
      batches.set(key, [...(batches.get(key) ?? []), item]);
    }
    const byChannel = new Map<string, OutboxItem[][]>();
    for (const batch of batches.values()) {
      const channel = batch[0]!.channel;
      byChannel.set(channel, [...(byChannel.get(channel) ?? []), batch]);
    }
    // Channels in parallel; one channel's batches in order, so a slow SMTP server delays only email.
    await Promise.all([...byChannel].map(async ([, channelBatches]) => {
      for (const batch of channelBatches) {
        if (this.stopping) return;
        await this.deliver(batch);
      }
    }));
  }

  private async deliver(batch: OutboxItem[]): Promise<void> {
    const name = batch[0]!.channel;
    const ids = batch.map((item) => item.id);
    const channel = this.channels.get(name);
    if (!channel) {
      this.outbox.markFailed(ids, `notifier "${name}" is no longer configured`);
      return;
    }
    const deliveryId = deliveryIdOf(name, batch);
    try {
      await channel.send({ message: this.render(batch.map((item) => item.event)), deliveryId });
      this.outbox.markSent(ids, deliveryId, this.clock.now());
      this.reported.delete(name);
      this.log.info({ channel: name, events: batch.map((item) => item.event.id) }, 'notification sent');
    } catch (error) {
      this.recordFailure(name, batch, error);
    }
  }

  /**
   * Each row is judged on its own tries and age, so an alert that just joined a batch with a long-failing one is not
   * given up on with it.
   */
  private recordFailure(name: string, batch: OutboxItem[], error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const now = this.clock.now();
    const permanent = error instanceof DeliveryError && error.permanent;
    const exhausted = (item: OutboxItem) =>
      permanent || item.attempts + 1 >= this.settings.maxAttempts || now - item.firstDueAt >= this.settings.maxAgeMs;
    const givenUp = batch.filter(exhausted);
    if (givenUp.length > 0) {
      this.outbox.markFailed(givenUp.map((item) => item.id), message);
      const why = permanent ? 'cannot be delivered' : 'gave up after the last attempt';
      // A channel that is down stays down for many events: say so once until it works again.
      if (!this.reported.has(name)) this.log.error({ channel: name, err: message }, `notification ${why}`);
      this.reported.add(name);
    }
    const retried = batch.filter((candidate) => !exhausted(candidate));
    for (const item of retried) {
      const delay = Math.min(this.settings.retryMaxMs, this.settings.retryBaseMs * 2 ** item.attempts);
      this.outbox.markRetry([item.id], now + delay, message);
    }
    if (retried.length > 0) this.log.warn({ channel: name, alerts: retried.length, err: message }, 'notification failed; will retry');
  }

}

/** Stable for the same events on the same channel, so a redelivery after a crash carries the same id. */
function deliveryIdOf(channel: string, batch: readonly OutboxItem[]): string {
  const ids = batch.map((item) => item.event.id).sort();
  return createHash('sha256').update(`${channel}\n${ids.join('\n')}`).digest('hex').slice(0, 32);
}
