import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { rowMatches, type CapacityRow } from './capacity.js';
import { CHARGE_TYPES, INSTANCE_STATES } from './instances.js';

/** A scenario file that cannot be read or does not validate; the message is one line naming the field. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

const count = z.int().positive();
/** YAML reads an unquoted `4090` as a number; GPU types are strings on the wire. */
const gpuType = z
  .union([z.string().min(1), z.number()], { error: 'expected a GPU type such as "4090"' })
  .transform(String);

export const capacityRowSchema = z.strictObject({ gpu: count, cpu: count, mem: count, enough: z.boolean() });

export const rowPatchSchema = z.strictObject({
  gpu: count,
  cpu: count.optional(),
  mem: count.optional(),
  enough: z.boolean(),
});

export const capacityEntrySchema = z.strictObject({
  zone: z.string().min(1),
  gpuType,
  rows: z.array(capacityRowSchema).min(1),
});

const scriptedCapacitySchema = capacityEntrySchema.extend({
  /** `at`: seconds after the simulator started. */
  timeline: z.array(z.strictObject({ at: z.int().nonnegative(), rows: z.array(rowPatchSchema).min(1) })).default([]),
});

/** An instance to seed; times are offsets in seconds from the moment it is added (negative: in the past). */
export const instanceSpecSchema = z.strictObject({
  uhostId: z.string().regex(/^uhost-[\w-]+$/).optional(),
  name: z.string().min(1),
  tag: z.string().min(1).default('Default'),
  remark: z.string().default(''),
  /** Default: the first zone. */
  zone: z.string().min(1).optional(),
  gpuType,
  gpu: count.default(1),
  cpu: count.default(16),
  /** GB, like capacity rows. */
  mem: count.default(64),
  state: z.enum(INSTANCE_STATES).default('Running'),
  chargeType: z.enum(CHARGE_TYPES).default('Dynamic'),
  startAt: z.int().default(0),
  /** When the stop schedule fires; unset: no schedule. */
  schedulerStopAt: z.int().optional(),
});
export type InstanceSpec = z.output<typeof instanceSpecSchema>;

/** Far beyond any real cloud's listing lag; a bigger value is a typo (milliseconds, say). */
const MAX_LISTING_LAG_SECONDS = 86_400;

/** How the simulated cloud behaves, besides what it holds: set by a scenario, changed by PATCH /__sim/settings. */
export const settingsSchema = z.strictObject({
  /** Sim seconds after a Create before DescribeCompShareInstance lists the new instance (it exists meanwhile). */
  listingLagSeconds: z.int().nonnegative().max(MAX_LISTING_LAG_SECONDS),
});
export type SimSettings = z.output<typeof settingsSchema>;

const projectSchema = z.strictObject({
  projectId: z.string().min(1),
  projectName: z.string().min(1),
  isDefault: z.boolean().default(false),
});

const DEFAULT_PROJECTS = [
  { projectId: 'org-sim', projectName: 'Default', isDefault: true },
  { projectId: 'org-sim-team', projectName: 'Team', isDefault: false },
];

const documentSchema = z.strictObject({
  region: z.string().min(1).default('cn-wlcb'),
  zones: z.array(z.string().min(1)).min(1).default(['cn-wlcb-01']),
  projects: z.array(projectSchema).min(1).default(DEFAULT_PROJECTS),
  /** Default: 4090, 5090 and A100 in the first zone. */
  capacity: z.array(scriptedCapacitySchema).optional(),
  instances: z.array(instanceSpecSchema).default([]),
  listingLagSeconds: settingsSchema.shape.listingLagSeconds.default(0),
});
type ScenarioDocument = z.output<typeof documentSchema>;

const scenarioSchema = documentSchema.superRefine(checkReferences).transform(({ capacity, ...rest }) => ({
  ...rest,
  capacity: capacity ?? defaultCapacity(rest.zones[0] ?? ''),
}));

/** A validated scenario: what the simulator starts with and what it replays. */
export type Scenario = z.output<typeof scenarioSchema>;

/** Rows for GPU counts 1, 2, 4, 8 with CPU and memory scaling per GPU; the first `enoughUpTo` rows are enough. */
function ladder(cpuPerGpu: number, memPerGpu: number, enoughUpTo: number): CapacityRow[] {
  return [1, 2, 4, 8].map((gpu, index) => ({
    gpu,
    cpu: gpu * cpuPerGpu,
    mem: gpu * memPerGpu,
    enough: index < enoughUpTo,
  }));
}

function defaultCapacity(zone: string): Array<z.output<typeof scriptedCapacitySchema>> {
  return [
    { zone, gpuType: '4090', rows: ladder(16, 64, 3), timeline: [] },
    { zone, gpuType: '5090', rows: ladder(16, 96, 1), timeline: [] },
    { zone, gpuType: 'A100', rows: ladder(12, 96, 0), timeline: [] },
  ];
}

/** What the field types alone cannot say: references between sections, duplicates, typos in the timeline. */
function checkReferences(scenario: ScenarioDocument, ctx: z.RefinementCtx): void {
  const issue = (path: PropertyKey[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
  const zones = new Set(scenario.zones);
  const seenCapacity = new Set<string>();
  (scenario.capacity ?? []).forEach((entry, index) => {
    if (!zones.has(entry.zone)) issue(['capacity', index, 'zone'], `zone "${entry.zone}" is not in zones`);
    const key = `${entry.zone}/${entry.gpuType}`;
    if (seenCapacity.has(key)) issue(['capacity', index], `${key} is listed twice`);
    seenCapacity.add(key);
    entry.timeline.forEach((event, eventIndex) =>
      event.rows.forEach((patch, rowIndex) => {
        if (!entry.rows.some((row) => rowMatches(row, patch))) {
          issue(['capacity', index, 'timeline', eventIndex, 'rows', rowIndex], 'matches no row of this capacity entry');
        }
      }),
    );
  });
  const seenIds = new Set<string>();
  scenario.instances.forEach((instance, index) => {
    if (instance.zone !== undefined && !zones.has(instance.zone)) {
      issue(['instances', index, 'zone'], `zone "${instance.zone}" is not in zones`);
    }
    if (instance.uhostId !== undefined && seenIds.has(instance.uhostId)) {
      issue(['instances', index, 'uhostId'], `"${instance.uhostId}" is used twice`);
    }
    if (instance.uhostId !== undefined) seenIds.add(instance.uhostId);
  });
  if (scenario.projects.filter((project) => project.isDefault).length > 1) {
    issue(['projects'], 'at most one project may be the default');
  }
}

/** `capacity[0].rows[1].gpu: expected number, received string`. */
export function describeIssue(issues: readonly z.core.$ZodIssue[]): string {
  const [first] = issues;
  if (!first) return 'invalid';
  const path = first.path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `${path || '(top level)'}: ${first.message}${more}`;
}

/** Validates an already parsed scenario document. */
export function parseScenario(document: unknown, source: string): Scenario {
  const result = scenarioSchema.safeParse(document ?? {});
  if (!result.success) throw new ScenarioError(`scenario ${source}: ${describeIssue(result.error.issues)}`);
  return result.data;
}

/** The scenario used when none is given: one zone, three GPU types, no instances, nothing scripted. */
export function defaultScenario(): Scenario {
  return parseScenario({}, '(default)');
}

/** Reads a YAML or JSON scenario file (JSON is valid YAML). */
export async function loadScenarioFile(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ScenarioError(`scenario ${path}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ScenarioError(`scenario ${path}: not valid YAML or JSON: ${reason}`);
  }
  return parseScenario(document, path);
}
