import { z } from 'zod';
import { intBetween, section, text } from '../schema/fields.js';

/**
 * Ceilings of the numbers in the file, far above any real use: a value past them is a typo (or `1e308`) that would
 * otherwise overflow a timer or a date later on.
 */
export const LIMITS = {
  maxRequestsPerSecond: { min: 0.01, max: 1000 },
  /** `api.connections`: sockets to one gateway; past this a typo would exhaust file descriptors. */
  connections: 256,
  retentionDays: 36_500,
  diskSizeGb: 65_536,
  gpu: 64,
  cpu: 4096,
  memGb: 65_536,
  confirmations: 1000,
} as const;

export const CPU_PLATFORM_VALUES = ['Auto', 'Intel/Auto', 'Amd/Auto'] as const;

// YAML reads `gpuType: 4090` as a number; the API wants the string.
export const gpuTypeField = z.preprocess((value) => (typeof value === 'number' ? String(value) : value), text);

const diskSchema = section({
  isBoot: z.boolean(),
  /** e.g. CLOUD_SSD */
  type: text,
  /** GB */
  size: intBetween(1, LIMITS.diskSizeGb),
});

/** The disks of a request: the API wants exactly one boot disk. */
export const diskListSchema = z.array(diskSchema).superRefine((disks, ctx) => {
  const boot = disks.filter((disk) => disk.isBoot).length;
  if (boot !== 1) {
    const message = `exactly one disk must have isBoot: true (found ${boot})`;
    ctx.addIssue({ code: 'custom', input: disks, message });
  }
});

/** Which rows of a capacity answer the user cares about; every field left out matches everything. */
export const matchSchema = section({
  gpu: z.array(intBetween(1, LIMITS.gpu)).min(1).optional(),
  minCpu: intBetween(1, LIMITS.cpu).optional(),
  minMemGb: intBetween(1, LIMITS.memGb).optional(),
});

export type MatchConfig = z.output<typeof matchSchema>;

/** Whether a capacity row is one the watch's `match` asks for; no `match` means every row counts. */
export function matchesSpec(match: MatchConfig | undefined, row: { gpu: number; cpu: number; mem: number }): boolean {
  if (match === undefined) return true;
  const gpuOk = match.gpu === undefined || match.gpu.includes(row.gpu);
  return gpuOk && row.cpu >= (match.minCpu ?? 0) && row.mem >= (match.minMemGb ?? 0);
}
