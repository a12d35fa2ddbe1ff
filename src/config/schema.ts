import { z } from 'zod';
import { CHARGE_TYPES } from '../compshare/actions/check-capacity.js';
import { cronProblem } from './cron.js';
import { notifierConfigSchema } from '../notify/channels/index.js';
import { DEFAULT_LOCALE, LOCALES } from '../notify/locales/index.js';
import { quote } from '../schema/message.js';
import { policyReconcileSchema, stopPoliciesSchema } from './stop-policies.js';
import { duration, intBetween, PLAIN_NAME_PATTERN, section, text, timerMs, timezone } from '../schema/fields.js';
import { deliverySchema, notifyListSchema, watchNotifyFields } from './notifications.js';
import { unknownNameProblem } from './known-names.js';
import { instancePasswordField, provisionerProblems, provisionersSchema } from './provisioners.js';
import { CPU_PLATFORM_VALUES, diskListSchema, gpuTypeField, LIMITS, matchSchema } from './watch-fields.js';
export { matchesSpec, type MatchConfig } from './watch-fields.js';

export const API_DEFAULTS = {
  baseUrl: 'https://api.compshare.cn',
  region: 'cn-wlcb',
  timeoutMs: 10_000,
  maxRequestsPerSecond: 5,
} as const;

/** Defaults of the `storage` section; a relative path is taken from the working directory. */
export const STORAGE_DEFAULTS = {
  path: './compshare-watch.db',
  retentionDays: 180,
} as const;

/** Times in `history`, `stats` and schedules are read in this zone unless a watch says otherwise. */
export const DEFAULT_TIMEZONE = 'Asia/Shanghai';

/** Defaults of each entry in `watches`. */
export const WATCH_DEFAULTS = {
  machineType: 'G',
  minimalCpuPlatform: 'Auto',
  /** Readings in a row needed to call a spec available: one, so an alert is never late. */
  confirmUp: 1,
  /** Readings in a row needed to call it sold out: two, so one odd answer does not flap. */
  confirmDown: 2,
  blindAfter: '5m',
  jitter: '0s',
} as const;

export { LIMITS };
export const CPU_PLATFORMS = CPU_PLATFORM_VALUES;


const credentialsSchema = section({
  publicKey: text.optional(),
  privateKey: text.optional(),
  /** A YAML or JSON file holding `publicKey` and `privateKey`; relative to the config file's directory. */
  file: text.optional(),
}).superRefine((credentials, ctx) => {
  const hasKey = credentials.publicKey !== undefined || credentials.privateKey !== undefined;
  if (hasKey && credentials.file !== undefined) {
    const message = 'set either publicKey and privateKey, or file, not both';
    ctx.addIssue({ code: 'custom', input: credentials, message });
  }
});

/**
 * The shape of the file `credentials.file` points to. `instancePassword` is the login password of instances a
 * provisioner creates, for provisioners that set no `password` of their own.
 */
export const credentialsFileSchema = section({
  publicKey: text.optional(),
  privateKey: text.optional(),
  instancePassword: instancePasswordField.optional(),
});

const apiSchema = section({
  baseUrl: z.url({ protocol: /^https?$/ }).default(API_DEFAULTS.baseUrl),
  region: text.default(API_DEFAULTS.region),
  /** Needed for sub-accounts; otherwise the default project is looked up once. */
  projectId: text.optional(),
  timeoutMs: timerMs.default(API_DEFAULTS.timeoutMs),
  maxRequestsPerSecond: z
    .number()
    .min(LIMITS.maxRequestsPerSecond.min)
    .max(LIMITS.maxRequestsPerSecond.max)
    .default(API_DEFAULTS.maxRequestsPerSecond),
  /** Connections to the API; when absent, sized from maxRequestsPerSecond and the latency seen. */
  connections: intBetween(1, LIMITS.connections).optional(),
});

const storageSchema = section({
  path: text.default(STORAGE_DEFAULTS.path),
  /** Raw polls, transitions, events and hourly counters older than this are pruned daily. */
  retentionDays: intBetween(1, LIMITS.retentionDays).default(STORAGE_DEFAULTS.retentionDays),
});

/** Defaults of the `http` section: loopback only, so nothing is exposed until the user says so. */
export const HTTP_DEFAULTS = { listen: '127.0.0.1:9477' } as const;
/** `host:port`, the host an IPv4 address, a name, or an IPv6 address in brackets. */
const LISTEN_PATTERN = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

/** Whether a `listen` address is reachable only from this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopbackListen(listen: string): boolean {
  const host = LISTEN_PATTERN.exec(listen)?.[1] ?? '';
  return LOOPBACK_HOSTS.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
}

const httpSchema = section({
  listen: z
    .string()
    .refine((listen) => LISTEN_PATTERN.test(listen) && Number(LISTEN_PATTERN.exec(listen)![2]) <= 65_535, {
      error: (issue) => `expected host:port such as 127.0.0.1:9477 (found ${quote(String(issue.input))})`,
    })
    .default(HTTP_DEFAULTS.listen),
  /** Asked of every request but /healthz (Bearer header or ?token=); required when `listen` is not loopback. */
  token: z.string().min(16).max(256).optional(),
}).superRefine((http, ctx) => {
  if (!isLoopbackListen(http.listen) && http.token === undefined) {
    const message = `listening on ${quote(http.listen)} (not loopback) needs http.token: anyone on the network could read the state`;
    ctx.addIssue({ code: 'custom', path: ['token'], input: http, message });
  }
});

const watchSchema = section({
  name: z.string().refine((name) => PLAIN_NAME_PATTERN.test(name), {
    error: (issue) => `may contain only letters, digits, ".", "_" and "-" (found ${quote(String(issue.input))})`,
  }),
  schedule: z.string().superRefine((pattern, ctx) => {
    const problem = cronProblem(pattern);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', input: pattern, message: `invalid cron ${quote(pattern)}: ${problem}` });
    }
  }),
  zone: text,
  gpuType: gpuTypeField,
  machineType: text.default(WATCH_DEFAULTS.machineType),
  minimalCpuPlatform: z.enum(CPU_PLATFORMS).default(WATCH_DEFAULTS.minimalCpuPlatform),
  imageId: text,
  chargeType: z.enum(CHARGE_TYPES),
  disks: diskListSchema,
  match: matchSchema.optional(),
  confirmUp: intBetween(1, LIMITS.confirmations).default(WATCH_DEFAULTS.confirmUp),
  confirmDown: intBetween(1, LIMITS.confirmations).default(WATCH_DEFAULTS.confirmDown),
  /** After failing polls for this long the watch raises one "blind" event. */
  blindAfter: duration.prefault(WATCH_DEFAULTS.blindAfter),
  /** Random delay of up to this much before each poll. */
  jitter: duration.prefault(WATCH_DEFAULTS.jitter),
  /** The zone the schedule is read in; defaults to the top-level timezone. */
  timezone: timezone.optional(),
  /** The provisioner (under `provisioners:`) that grabs an instance when a row of this watch becomes available. */
  provision: text.optional(),
  ...watchNotifyFields,
});

const watchesSchema = z.array(watchSchema).superRefine((watches, ctx) => {
  const seen = new Set<string>();
  watches.forEach((watch, index) => {
    if (seen.has(watch.name)) {
      ctx.addIssue({
        code: 'custom',
        path: [index, 'name'],
        input: watch.name,
        message: `duplicate watch name ${quote(watch.name)}`,
      });
    }
    seen.add(watch.name);
  });
});

/**
 * The whole config file. This schema is the reference for every key, its type and its default. An empty list of
 * watches is valid (a config may serve other commands); `check` refuses it.
 */
export const configSchema = section({
  credentials: credentialsSchema.optional(),
  api: apiSchema.prefault({}),
  storage: storageSchema.prefault({}),
  timezone: timezone.default(DEFAULT_TIMEZONE),
  watches: watchesSchema.default(() => []),
  stopPolicies: stopPoliciesSchema.default({}),
  /** Auto-provisioning: what to create when a watch that names one sees capacity, within money guardrails. */
  provisioners: provisionersSchema.default({}),
  policyReconcile: policyReconcileSchema,
  /** Channels alerts go out through, by name. */
  notifiers: z.record(z.string(), notifierConfigSchema).default({}),
  /** The language of alert messages. */
  locale: z.enum(LOCALES).default(DEFAULT_LOCALE),
  /** Channels for watches that name none, and for events that belong to no watch (policy failures). */
  notify: notifyListSchema.default([]),
  delivery: deliverySchema.prefault({}),
  /** Health, metrics, JSON API and the status page; `false` turns the server off. */
  http: z.union([z.literal(false), httpSchema]).prefault({}),
}).superRefine((config, ctx) => {
  // A route to a notifier that does not exist would drop alerts silently.
  const known = Object.keys(config.notifiers);
  const check = (names: readonly string[] | undefined, path: PropertyKey[]) =>
    names?.forEach((name, index) => {
      if (!known.includes(name)) {
        const message = unknownNameProblem('notifier', name, known, 'notifiers');
        ctx.addIssue({ code: 'custom', path: [...path, index], input: name, message });
      }
    });
  check(config.notify, ['notify']);
  config.watches.forEach((watch, index) => check(watch.notify, ['watches', index, 'notify']));
  for (const { path, input, message } of provisionerProblems(config)) {
    ctx.addIssue({ code: 'custom', path, input, message });
  }
});

export type Config = z.output<typeof configSchema>;
export type HttpConfig = Exclude<Config['http'], false>;
export type WatchConfig = Config['watches'][number];
export type DiskConfig = WatchConfig['disks'][number];
export type { ProvisionerConfig, CandidateConfig } from './provisioners.js';
export type CpuPlatform = (typeof CPU_PLATFORMS)[number];
