import type { NotifySettings as Config } from './settings.js';
import type { HistoryStore } from '../store/history-store.js';
import type { NewEvent } from '../store/events.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../log.js';
import type { ChannelInstance } from './channel.js';
import { createChannel } from './channels/index.js';
import { DEFAULT_DISPATCH_TIMING, Dispatcher, MAX_ERROR_CHARS, deliveryIdOf } from './dispatcher.js';
import { printable } from '../util/printable.js';
import { enqueueEvent } from './enqueue.js';
import { renderMessage, type RenderableEvent } from './render.js';
import { NOTIFY_ON, type Route } from './routing.js';

/**
 * Alerts, end to end: routes each stored event to its channels' outbox rows (inside the event's transaction) and
 * runs the dispatcher that delivers them. Exists only when notifiers are configured.
 */
export class Notifier {
  readonly dispatcher: Dispatcher;
  private readonly channels: Map<string, ChannelInstance>;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly config: Config,
    private readonly store: HistoryStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.channels = new Map(
      Object.entries(config.notifiers).map(([name, notifier]) => [name, createChannel(name, notifier, { log, env })]),
    );
    this.dispatcher = new Dispatcher(
      store.outbox,
      this.channels,
      (events) => renderBatch(events, config),
      { ...DEFAULT_DISPATCH_TIMING, maxAttempts: config.delivery.maxAttempts, maxAgeMs: config.delivery.maxAge },
      clock,
      log,
    );
  }

  /** Routes events from now on (not from construction: a reload builds the next notifier while this one runs). */
  start(): void {
    this.unsubscribe = routeEventsToOutbox(this.config, this.store, this.clock, () => this.dispatcher.wake());
    this.dispatcher.start();
  }

  /**
   * Sends one alert of no watch straight to its channels (the top-level `notify`), bypassing the outbox: for when
   * the database itself cannot be written. One attempt per channel; a failure is logged, never thrown.
   */
  async sendNow(event: NewEvent): Promise<void> {
    const message = renderBatch([event], this.config);
    await Promise.all(this.config.notify.map(async (name) => {
      const channel = this.channels.get(name);
      if (!channel) return;
      const deliveryId = deliveryIdOf(name, event.id);
      try {
        await channel.send({ message, deliveryId });
        this.log.info({ channel: name, events: [event.id] }, 'notification sent');
      } catch (error) {
        const reason = printable(error instanceof Error ? error.message : String(error), MAX_ERROR_CHARS);
        this.log.error({ channel: name, err: reason }, 'notification could not be sent');
      }
    }));
  }

  /** Events recorded from now on are no longer routed by this notifier; a delivery under way finishes first. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.dispatcher.stop();
    await Promise.all([...this.channels.values()].map((channel) => channel.close?.()));
  }
}

/**
 * Makes every event the store records become outbox rows for its channels, in the event's transaction, until the
 * returned function is called. Used by the daemon and by any command that records events (`policy apply`), so the
 * daemon delivers them later.
 */
export function routeEventsToOutbox(config: Config, store: HistoryStore, clock: Clock, onCommitted?: () => void): () => void {
  const outbox = store.outbox;
  const routes = routesOf(config);
  return store.onEvent((event) => {
    enqueueEvent(outbox, routes.get(event.watch), event, { groupWindowMs: config.delivery.groupWindow }, clock);
    // Runs after the surrounding transaction has committed: better-sqlite3 transactions are synchronous.
    if (onCommitted) queueMicrotask(onCommitted);
  });
}

/** Each watch's route, and under `null` the route for events of no watch (policy failures). */
export function routesOf(config: Config): Map<string | null, Route> {
  const routes = new Map<string | null, Route>([[null, { channels: config.notify, notifyOn: NOTIFY_ON, urgent: [] }]]);
  for (const watch of config.watches) {
    const quiet = watch.quietHours;
    routes.set(watch.name, {
      channels: watch.notify ?? config.notify,
      notifyOn: watch.notifyOn,
      urgent: quiet?.urgent ?? [],
      quietHours: quiet && { from: quiet.from, to: quiet.to, timezone: quiet.timezone ?? config.timezone },
    });
  }
  return routes;
}

/** Reminders are worded as such; everything else renders as stored. */
function renderBatch(events: readonly RenderableEvent[], config: Config) {
  const reminder = events.every((event) => event.type === 'capacity.reminder');
  const renderable = events.map((event) =>
    event.type === 'capacity.reminder' ? { ...event, type: 'capacity.available' } : event,
  );
  return renderMessage(renderable, { locale: config.locale, timezone: config.timezone, reminder });
}
