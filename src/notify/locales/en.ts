import type { CapacityKind, Phrases, WatchRef } from './phrases.js';

const where = ({ watch, zone, gpuType }: WatchRef) => `${watch} (zone ${zone}, GPU ${gpuType})`;

const titleWord: Record<CapacityKind, string> = { available: 'available', soldout: 'sold out', reminder: 'still available' };
const headingWord: Record<CapacityKind, string> = {
  available: 'has capacity:',
  soldout: 'sold out:',
  reminder: 'still has capacity:',
};

export const en: Phrases = {
  titleMax: 64,
  more: (total) => ` (+${total - 1} more)`,
  spec: ({ gpu, cpu, mem }) => `${gpu} GPU, ${cpu} vCPU, ${mem} GB`,
  rowSeparator: ': ',
  specShort: ({ gpu, cpu, mem }) => `${gpu} GPU/${cpu}C/${mem}G`,
  capacityTitle: (kind, { watch, gpuType }, spec) => `${gpuType} ${titleWord[kind]}: ${watch} ${spec}`,
  capacityHeading: (kind, watch) => `${where(watch)} ${headingWord[kind]}`,
  previousState: (kind, lasted) => {
    if (lasted === null) return 'first reading';
    return kind === 'available' ? `sold out for ${lasted} before` : `available for ${lasted} before`;
  },
  availableSince: (time) => `available since ${time}`,
  at: (time, timezone) => `At ${time} (${timezone})`,
  nextStep: 'Next step: create an instance in the console before it sells out: ',
  error: (message) => `Error: ${message}`,
  blindTitle: (watch) => `Watch blind: ${watch}`,
  blind: (watch, lasted, since) =>
    `${where(watch)} has failed to poll for ${lasted} (since ${since}); capacity changes in that time are unknown.`,
  blindHint: 'Check the network, the API keys and the quota; compshare-watch check shows the error.',
  recoveredTitle: (watch) => `Watch recovered: ${watch}`,
  recovered: (watch, lasted, since) => `${where(watch)} polls again after failing for ${lasted} (since ${since}).`,
  policyFailedTitle: (instance) => `Stop policy failed: ${instance}`,
  policyFailed: (instance, policy) => `Stop policy ${policy} failed for instance ${instance}.`,
  policyHint: 'Check the instance’s scheduled stop in the console so that it does not keep billing: ',
  storageFailingTitle: 'compshare-watch cannot record polls',
  storageFailing: (database, since) =>
    `compshare-watch cannot write its database ${database} (since ${since}): polls are not recorded and further alerts cannot be queued.`,
  storageFailingHint: 'Free disk space, or stop the program that holds the database locked; polling goes on meanwhile.',
  storageRecoveredTitle: 'compshare-watch records polls again',
  storageRecovered: (database, lasted, lostPolls) =>
    `compshare-watch writes its database ${database} again after ${lasted}; ${lostPolls} ${lostPolls === 1 ? 'poll was' : 'polls were'} not recorded.`,
  genericTitle: (type) => `compshare-watch event: ${type}`,
  generic: (type, time) => `Event ${type} at ${time}: `,
  testTitle: 'compshare-watch test message',
  test: 'This is a test message: if you can read it, this notifier works.',
};
