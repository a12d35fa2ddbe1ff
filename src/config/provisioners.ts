import { z } from 'zod';
import { CREATE_CHARGE_TYPES } from '../compshare/actions/create-instance.js';
import { duration, intBetween, section, text } from '../schema/fields.js';
import { CPU_PLATFORM_VALUES, diskListSchema, gpuTypeField, LIMITS } from './watch-fields.js';

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
  password: z.string().min(1).max(PROVISION_LIMITS.passwordChars).optional(),
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

export const provisionersSchema = z.record(z.string(), provisionerSchema);

export type ProvisionerConfig = z.output<typeof provisionerSchema>;
export type CandidateConfig = ProvisionerConfig['candidates'][number];
