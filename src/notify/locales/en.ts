import { formatDuration } from '../../util/duration.js';
import type { CapacityKind, FailurePhrases, HistoryFacts, Phrases, ProvisionFailure, WatchRef } from './phrases.js';

const where = ({ watch, zone, gpuType }: WatchRef) => `${watch} (zone ${zone}, GPU ${gpuType})`;

const titleWord: Record<CapacityKind, string> = { available: 'available', soldout: 'sold out', reminder: 'still available' };
const headingWord: Record<CapacityKind, string> = {
  available: 'has capacity:',
  soldout: 'sold out:',
  reminder: 'still has capacity:',
};

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

function recentHistory({ days, windows, median, p90, freeAtThisHourDays: free, observedAtThisHourDays: observed }: HistoryFacts): string {
  const lengths =
    windows === 0
      ? `First time seen free in the last ${days} days`
      : `Usually free for ${median} (median), ${p90} (p90) over the last ${days} days (${plural(windows, 'window')})`;
  let atThisHour = `free at this hour on ${free} of the last ${days} days`;
  if (observed === 0) atThisHour = `not seen at this hour in the last ${days} days`;
  else if (observed < days) atThisHour = `free at this hour on ${free} of ${plural(observed, 'day')} seen in the last ${days}`;
  return `${lengths}; ${atThisHour}`;
}

const failures: Record<ProvisionFailure, FailurePhrases> = {
  'lost-race': {
    title: ({ gpuType, spec }) => `Lost the race for ${gpuType} ${spec}: sold out again`,
    what: ({ provisioner, watch }) =>
      `Provisioner ${provisioner} lost the race for watch ${watch}: the row sold out again before the create.`,
    hint: () => 'It keeps watching and tries again the next time capacity appears.',
  },
  paused: {
    title: ({ provisioner }) => `Provisioner ${provisioner} paused: account in arrears or unverified`,
    what: ({ provisioner, watch }) =>
      `Provisioner ${provisioner} of watch ${watch} is paused: the account is in arrears or not verified, so it creates nothing until it is resumed.`,
    hint: ({ provisioner }) => `Top up or verify the account, then run: compshare-watch provision resume ${provisioner}`,
  },
  refused: {
    title: ({ name, gpuType, spec }) => `Create refused for ${name}: ${gpuType} ${spec}`,
    what: ({ provisioner, watch }) => `The API refused the create of provisioner ${provisioner} for watch ${watch}; it is not retried.`,
    hint: () => 'Check the provisioner’s request (zone, image, spec, charge type) against the reason.',
  },
  'not-created': {
    title: ({ name }) => `Create of ${name} did not happen`,
    what: ({ provisioner, watch, name }) =>
      `The create of provisioner ${provisioner} for watch ${watch} did not happen: its answer was lost and the instance listing never showed ${name}.`,
    hint: () => 'It counts as not created; if it shows up in the console later, stop it there: ',
  },
  'stop-not-set': {
    title: ({ instance }) => `${instance} has NO scheduled stop`,
    what: ({ provisioner, watch, instance }) =>
      `Provisioner ${provisioner} created ${instance} for watch ${watch} but could not set its scheduled stop: it bills until it is stopped.`,
    hint: () => 'Set a scheduled stop or stop it in the console now: ',
  },
  blocked: {
    title: (_attempt, reason) => `Not created: ${reason}`,
    what: ({ provisioner, watch }) => `Provisioner ${provisioner} did not create an instance for watch ${watch}: a guardrail held it back.`,
    hint: () => 'Change the provisioner’s limits if it should have gone ahead.',
  },
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
    return kind === 'available' ? `sold out for ${lasted} before` : `the window lasted ${lasted}`;
  },
  recentHistory,
  historySeparator: '. ',
  duration: formatDuration,
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
  dryRunTag: '[dry run] ',
  dryRunNote: 'Dry run: nothing was created; set dryRun: false to create for real.',
  createdTitle: (dryRun, { gpuType, spec, name }) => `${dryRun ? 'Would create' : 'Created'} ${gpuType} ${spec}: ${name}`,
  created: (dryRun, { provisioner, watch }) =>
    `Provisioner ${provisioner} ${dryRun ? 'would create' : 'created'} an instance for watch ${watch}:`,
  failures,
  factLabel: {
    instance: 'Instance',
    zone: 'Zone',
    spec: 'Spec',
    chargeType: 'Charge type',
    stopPolicy: 'Stop policy',
    reason: 'Reason',
    retCode: 'RetCode',
    requestId: 'Request id',
  },
  hourlyPrice: (amount) => (amount === null ? 'Price unknown' : `Price: ¥${amount}/h`),
  scheduledStop: (time, timezone) =>
    time === null ? 'No scheduled stop: it runs until you stop it' : `Scheduled stop: ${time} (${timezone})`,
  consoleLink: 'Console: ',
  genericTitle: (type) => `compshare-watch event: ${type}`,
  generic: (type, time) => `Event ${type} at ${time}: `,
  testTitle: 'compshare-watch test message',
  test: 'This is a test message: if you can read it, this notifier works.',
};
