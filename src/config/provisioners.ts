import { z } from 'zod';
import { CREATE_CHARGE_TYPES } from '../compshare/actions/create-instance.js';
import { duration, intBetween, namedRecord, section, text } from '../schema/fields.js';
import { formatPath, quote } from '../schema/message.js';
import { unknownNameProblem } from './known-names.js';
import { CPU_PLATFORM_VALUES, diskListSchema, gpuTypeField, LIMITS, matchesSpec, type MatchConfig } from './watch-fields.js';

/** Defaults of each entry under `provisioners:`; dry-run unless the user says otherwise. */
export const PROVISIONER_DEFAULTS = {
  dryRun: true,
  maxInstances: 1,
  cooldown: '1m',
  namePrefix: 'grab-',
  allowNoStopPolicy: false,
  allowPrepaid: false,
} as const;

/** Ceilings of the money and count keys: far above real use, so a typo (`3e9`) is refused rather than obeyed. */
export const PROVISION_LIMITS = {
  candidates: 20,
  maxInstances: 100,
  /** CNY per hour. */
  maxHourlyPrice: 10_000,
  /** CNY. */
  dailyBudget: 1_000_000,
  /** CNY for a whole prepaid term. */
  maxOrderPrice: 10_000_000,
  remarkChars: 200,
  passwordChars: 128,
} as const;

/** The created instance's name is the prefix plus a short token, so it stays a plain, findable name. */
export const NAME_PREFIX_PATTERN = /^[A-Za-z0-9._-]{1,40}$/;

/** Charge types billed for a whole term up front: a mistake costs a month, not an hour. */
export const PREPAID_CHARGE_TYPES: ReadonlySet<string> = new Set(['Day', 'Month', 'Year']);

const price = (max: number) => z.number().positive().max(max);

/** An instance login password (a provisioner's `password`, the key file's `instancePassword`); never shown back. */
export const instancePasswordField = z.string().min(1).max(PROVISION_LIMITS.passwordChars);

const candidateSchema = section({
  gpu: intBetween(1, LIMITS.gpu),
  cpu: intBetween(1, LIMITS.cpu),
  memGb: intBetween(1, LIMITS.memGb),
  /** Take this row from another watch's spec keys (and that watch's request shape). */
  watch: text.optional(),
});

export const provisionerSchema = section({
  dryRun: z.boolean().default(PROVISIONER_DEFAULTS.dryRun),
  candidates: z.array(candidateSchema).min(1).max(PROVISION_LIMITS.candidates),
  maxInstances: intBetween(1, PROVISION_LIMITS.maxInstances).default(PROVISIONER_DEFAULTS.maxInstances),
  maxHourlyPrice: price(PROVISION_LIMITS.maxHourlyPrice),
  dailyBudget: price(PROVISION_LIMITS.dailyBudget).optional(),
  maxOrderPrice: price(PROVISION_LIMITS.maxOrderPrice).optional(),
  cooldown: duration.prefault(PROVISIONER_DEFAULTS.cooldown),
  namePrefix: z
    .string()
    .refine((prefix) => NAME_PREFIX_PATTERN.test(prefix), {
      error: 'must be 1 to 40 letters, digits, ".", "_" or "-"',
    })
    .default(PROVISIONER_DEFAULTS.namePrefix),
  remark: z.string().max(PROVISION_LIMITS.remarkChars).optional(),
  password: instancePasswordField.optional(),
  stopPolicy: text.optional(),
  allowNoStopPolicy: z.boolean().default(PROVISIONER_DEFAULTS.allowNoStopPolicy),
  allowPrepaid: z.boolean().default(PROVISIONER_DEFAULTS.allowPrepaid),
  // The request shape: the watch's unless overridden here.
  zone: text.optional(),
  gpuType: gpuTypeField.optional(),
  machineType: text.optional(),
  minimalCpuPlatform: z.enum(CPU_PLATFORM_VALUES).optional(),
  imageId: text.optional(),
  chargeType: z.enum(CREATE_CHARGE_TYPES).optional(),
  disks: diskListSchema.optional(),
});

export const provisionersSchema = namedRecord(provisionerSchema, 'provisioner');

export type ProvisionerConfig = z.output<typeof provisionerSchema>;
export type CandidateConfig = ProvisionerConfig['candidates'][number];

/** Whether a config path holds a provisioner's password: the value found there never appears in a message. */
export function isProvisionerSecret(path: readonly PropertyKey[]): boolean {
  return path[0] === 'provisioners' && path[2] === 'password';
}

/** What the cross-checks read of the whole config (structural, so this file need not import the full schema). */
export interface ProvisionerContext {
  watches: readonly { name: string; chargeType: string; provision?: string | undefined; match?: MatchConfig | undefined }[];
  stopPolicies: Readonly<Record<string, unknown>>;
  provisioners: Readonly<Record<string, ProvisionerConfig>>;
}

/** One problem across sections: its YAML path, the value there, and why it is refused. */
export interface CrossProblem {
  path: PropertyKey[];
  input: unknown;
  message: string;
}

/**
 * Everything that makes `provisioners:` unsafe or dangling once the whole file is read: names that point nowhere,
 * a missing stop policy, and charge types that break the money rules (prepaid needs allowPrepaid and a
 * maxOrderPrice; Spot cannot take a stop schedule). One problem per entry, in file order.
 */
export function provisionerProblems(config: ProvisionerContext): CrossProblem[] {
  const names = Object.keys(config.provisioners);
  const unknown = config.watches.flatMap((watch, index) =>
    danglingName(['watches', index, 'provision'], 'provisioner', watch.provision, names, 'provisioners'),
  );
  const own = Object.entries(config.provisioners).flatMap(([name, provisioner]) =>
    oneProvisionerProblems(name, provisioner, config),
  );
  return [...unknown, ...own];
}

/**
 * One line per provisioner that no watch names with `provision:`: valid (`provision test` can still try it), but
 * nothing will ever trigger it, which is rarely what the user meant. `file` is the config as the user named it.
 */
export function unusedProvisionerWarnings(config: ProvisionerContext, file: string): string[] {
  return Object.keys(config.provisioners)
    .filter((name) => !config.watches.some((watch) => watch.provision === name))
    .map(
      (name) =>
        `${file}: ${formatPath(['provisioners', name])}: no watch names it with provision: ${name}, so nothing ` +
        `triggers it (provision test --provisioner ${name} can still try it)`,
    );
}

/** A charge type a provisioner will create with, and the watches it comes from (none: the provisioner's own). */
interface ChargeSource {
  chargeType: string;
  watches: string[];
}

function danglingName(
  path: PropertyKey[],
  kind: string,
  name: string | undefined,
  known: readonly string[],
  section: string,
): CrossProblem[] {
  if (name === undefined || known.includes(name)) return [];
  return [{ path, input: name, message: unknownNameProblem(kind, name, known, section) }];
}

function oneProvisionerProblems(
  name: string,
  provisioner: ProvisionerConfig,
  config: ProvisionerContext,
): CrossProblem[] {
  const at = (...path: PropertyKey[]): PropertyKey[] => ['provisioners', name, ...path];
  const watchNames = config.watches.map((watch) => watch.name);
  const candidates = provisioner.candidates.flatMap((candidate, index) => [
    ...danglingName(at('candidates', index, 'watch'), 'watch', candidate.watch, watchNames, 'watches'),
    ...untrackedCandidate(name, candidate, config.watches).map((message) => ({ path: at('candidates', index), input: candidate, message })),
  ]);
  const sources = chargeSources(name, provisioner, config.watches);
  const spot = spotProblem(provisioner, sources);
  // With Spot refused, "add a stop policy" would be advice that cannot fix it.
  const stopPolicy = spot.length > 0 ? [] : stopPolicyProblems(provisioner, Object.keys(config.stopPolicies));
  const problems = [...spot, ...stopPolicy, ...prepaidProblems(provisioner, sources)];
  return [...candidates, ...problems.map((problem) => ({ ...problem, path: at(...problem.path) }))];
}

/**
 * A candidate row the watch it is read from leaves out of its `match`: that row is never tracked, so it can never
 * flip and never be created, which is surely not what the user meant.
 */
function untrackedCandidate(name: string, candidate: CandidateConfig, watches: ProvisionerContext['watches']): string[] {
  const sources = candidate.watch === undefined ? watches.filter((watch) => watch.provision === name) : watches.filter((watch) => watch.name === candidate.watch);
  const row = { gpu: candidate.gpu, cpu: candidate.cpu, mem: candidate.memGb };
  return sources
    .filter((watch) => !matchesSpec(watch.match, row))
    .map((watch) => `watch ${quote(watch.name)} does not track ${row.gpu}/${row.cpu}/${row.mem} (its match leaves it out), so this candidate can never be created`);
}

/** The charge types it creates with: its own, else each watch's it serves (they may differ; each uses its own). */
function chargeSources(
  name: string,
  provisioner: ProvisionerConfig,
  watches: ProvisionerContext['watches'],
): ChargeSource[] {
  if (provisioner.chargeType !== undefined) return [{ chargeType: provisioner.chargeType, watches: [] }];
  const named = new Set(provisioner.candidates.map((candidate) => candidate.watch));
  const served = watches.filter((watch) => watch.provision === name || named.has(watch.name));
  const byType = new Map<string, string[]>();
  for (const watch of served) byType.set(watch.chargeType, [...(byType.get(watch.chargeType) ?? []), watch.name]);
  return [...byType].map(([chargeType, from]) => ({ chargeType, watches: from }));
}

/** `chargeType Month (from watch "a")`: where a charge type came from, so the user knows which key to change. */
function describe(sources: readonly ChargeSource[]): string {
  const one = ({ chargeType, watches }: ChargeSource) => {
    if (watches.length === 0) return `chargeType ${chargeType}`;
    const label = watches.length === 1 ? 'watch' : 'watches';
    return `chargeType ${chargeType} (from ${label} ${watches.map(quote).join(', ')})`;
  };
  return sources.map(one).join(', ');
}

// The checks below return paths inside the provisioner; oneProvisionerProblems prefixes them.

function spotProblem(provisioner: ProvisionerConfig, sources: readonly ChargeSource[]): CrossProblem[] {
  const spot = sources.filter((source) => source.chargeType === 'Spot');
  if (spot.length === 0 || provisioner.allowNoStopPolicy) return [];
  const message =
    `${describe(spot)} cannot take a stop schedule, so its instance bills until someone stops it; ` +
    'set allowNoStopPolicy: true to accept that';
  return [{ path: ['allowNoStopPolicy'], input: provisioner.allowNoStopPolicy, message }];
}

function stopPolicyProblems(provisioner: ProvisionerConfig, policies: readonly string[]): CrossProblem[] {
  if (provisioner.stopPolicy !== undefined) {
    return danglingName(['stopPolicy'], 'stop policy', provisioner.stopPolicy, policies, 'stopPolicies');
  }
  if (provisioner.allowNoStopPolicy) return [];
  const message =
    'missing: an instance without a stop bills until someone stops it; name a policy under stopPolicies: ' +
    'or set allowNoStopPolicy: true';
  return [{ path: ['stopPolicy'], input: undefined, message }];
}

/** Prepaid terms bill a month (or a year) at once: allowed only when asked for, and then only under a price ceiling. */
function prepaidProblems(provisioner: ProvisionerConfig, sources: readonly ChargeSource[]): CrossProblem[] {
  const { allowPrepaid, maxOrderPrice } = provisioner;
  const prepaid = sources.filter((source) => PREPAID_CHARGE_TYPES.has(source.chargeType));
  if (prepaid.length === 0) {
    // Nothing to compare with while no charge type is known (no chargeType, and no watch to take one from).
    if (maxOrderPrice === undefined || sources.length === 0) return [];
    const message = `applies only to Day, Month or Year (this provisioner creates with ${describe(sources)})`;
    return [{ path: ['maxOrderPrice'], input: maxOrderPrice, message }];
  }
  if (!allowPrepaid) {
    const message =
      `${describe(prepaid)} bills a whole term up front; set allowPrepaid: true and maxOrderPrice ` +
      '(CNY, the most one order may cost) to allow it';
    return [{ path: ['allowPrepaid'], input: allowPrepaid, message }];
  }
  if (maxOrderPrice !== undefined) return [];
  const message =
    `missing: ${describe(prepaid)} bills a whole term up front, so the most one order may cost (CNY) is required`;
  return [{ path: ['maxOrderPrice'], input: maxOrderPrice, message }];
}
