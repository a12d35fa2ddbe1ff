import type { HistoryStore } from '../store/history-store.js';
import type { Provisioner } from './provisioners.js';

/** The instances provisioners created, by id, with the name of the stop policy each one's provisioner names. */
export function ownedByStopPolicy(store: HistoryStore, provisioners: ReadonlyMap<string, Provisioner>): Map<string, string> {
  const owned = new Map<string, string>();
  for (const intent of store.provisions.ownedInstances()) {
    const policy = provisioners.get(intent.provisioner)?.stopPolicy?.name;
    if (policy !== undefined && intent.instanceId !== null) owned.set(intent.instanceId, policy);
  }
  return owned;
}
