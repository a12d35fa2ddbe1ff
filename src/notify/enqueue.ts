import type { OutboxRepository } from '../store/outbox.js';
import type { Clock } from '../util/clock.js';
import { quietUntil } from './quiet-hours.js';
import { channelsFor, type Route } from './routing.js';

export interface EnqueueSettings {
  /** Flips of one watch within this window after a message go out together in one follow-up message. */
  groupWindowMs: number;
}

/**
 * Turns a stored event into outbox rows, one per routed channel. Runs inside the event's transaction, so an event
 * and its notifications commit together. Decides only *when* each row is due: now for the first flip of a watch,
 * with the pending follow-up when one is waiting, after the group window when a message just went out, and after
 * quiet hours for what may wait.
 */
export function enqueueEvent(
  outbox: OutboxRepository,
  route: Route | undefined,
  event: { seq: number; type: string; watch: string | null },
  settings: EnqueueSettings,
  clock: Clock,
): void {
  if (!route) return;
  const { channels, holdable } = channelsFor(route, event.type);
  const now = clock.now();
  const quietEnd = holdable && route.quietHours ? quietUntil(route.quietHours, now) : null;
  for (const channel of channels) {
    const lastSent = outbox.lastSentAt(channel, event.watch);
    const afterLast = lastSent !== null && now - lastSent < settings.groupWindowMs ? lastSent + settings.groupWindowMs : now;
    // Join a follow-up that is about to go anyway, never one held far off (by quiet hours): an urgent alert
    // behind a held one would wait with it.
    const pending = outbox.pendingDueAt(channel, event.watch);
    const joinable = pending !== null && pending <= afterLast + settings.groupWindowMs ? pending : null;
    const due = Math.max(joinable ?? afterLast, quietEnd ?? 0);
    outbox.enqueue(event.seq, channel, event.watch, due, now);
  }
}
