import { randomBytes } from 'node:crypto';
import { EVENT_PAYLOADS } from '../events.js';
import type { HistoryStore } from '../store/history-store.js';
import { keyId } from '../store/watch-state.js';
import type { Clock } from '../util/clock.js';
import type { Provisioner } from './provisioners.js';

/** Hex characters of the random token after the name prefix: enough that two intents never share a name. */
const NAME_TOKEN_BYTES = 5;

/** The unique name an intent's instance gets: the only way to find it again if the answer to Create is lost. */
export function newInstanceName(prefix: string): string {
  return `${prefix}${randomBytes(NAME_TOKEN_BYTES).toString('hex')}`;
}

/**
 * Makes every `capacity.available` event of a watch that names a provisioner, for a row the provisioner lists,
 * write an intent to the ledger in the event's own transaction (the outbox pattern: a crash after the poll loses
 * no grab). Which candidate is created, and whether at all, is decided by the worker once that has committed.
 * Returns the unsubscribe.
 */
export function routeAvailabilityToLedger(
  store: HistoryStore,
  provisioners: ReadonlyMap<string, Provisioner>,
  clock: Clock,
  onCommitted: () => void,
): () => void {
  const byWatch = new Map<string, Provisioner[]>();
  for (const provisioner of provisioners.values()) {
    for (const watch of provisioner.watches) byWatch.set(watch, [...(byWatch.get(watch) ?? []), provisioner]);
  }
  return store.onEvent((event) => {
    if (event.type !== 'capacity.available' || event.watch === null) return;
    const triggered = byWatch.get(event.watch);
    if (triggered === undefined) return;
    const row = EVENT_PAYLOADS['capacity.available'].parse(event.payload);
    const key = keyId(row);
    for (const provisioner of triggered) {
      const listed = provisioner.candidatesFor(event.watch).some((c) => c.watch === event.watch && c.key === key);
      if (!listed) continue;
      const added = store.provisions.add({
        provisioner: provisioner.name,
        name: newInstanceName(provisioner.settings.namePrefix),
        eventId: event.id,
        watch: event.watch,
        trigger: { gpu: row.gpu, cpu: row.cpu, mem: row.mem },
        dryRun: provisioner.settings.dryRun,
        createdAt: clock.now(),
      });
      // A microtask runs after the surrounding transaction has committed: better-sqlite3 transactions are synchronous.
      if (added) queueMicrotask(onCommitted);
    }
  });
}
