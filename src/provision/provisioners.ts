import type { Config, ProvisionerConfig, WatchConfig } from '../config/schema.js';
import type { CreateInstanceRequest } from '../compshare/actions/create-instance.js';
import type { StopPolicy } from '../policy/plan.js';
import { PREPAID_CHARGE_TYPES } from '../config/provisioners.js';
import { instancePasswordFor } from '../config/credentials.js';
import { keyId } from '../store/watch-state.js';

/** What Create is sent for one candidate, except the per-intent name and the password. */
export type CandidateRequest = Omit<CreateInstanceRequest, 'name' | 'password'>;

/** One candidate row of a provisioner, resolved against the watch whose spec keys it reads. */
export interface Candidate {
  /** The watch whose state says whether this row is available. */
  watch: string;
  /** `gpu/cpu/mem`, as the watch's stored state is keyed. */
  key: string;
  request: CandidateRequest;
}

/** A configured provisioner, ready for the trigger, the guardrails and the worker. */
export interface Provisioner {
  name: string;
  settings: ProvisionerConfig;
  /** Its stop policy, by name; undefined only with `allowNoStopPolicy: true`. */
  stopPolicy: { name: string; policy: StopPolicy } | undefined;
  /** The watches that name it with `provision:`: their available events trigger it. */
  watches: readonly string[];
  /** Its candidates in order, for an event of `watch` (a candidate without `watch:` reads the triggering watch). */
  candidatesFor(watch: string): readonly Candidate[];
  /** Every request it may send, for prices fetched ahead of time. */
  allRequests(): readonly CandidateRequest[];
  password: string | undefined;
}

/** Hours one period of a charge type lasts, for the hourly figure of a prepaid price. */
const TERM_HOURS: Readonly<Record<string, number>> = { Day: 24, Month: 24 * 30, Year: 24 * 365 };

/** The hourly cost of a quoted price: itself for pay-as-you-go, the term's price spread over its hours for prepaid. */
export function hourlyOf(chargeType: string, quoted: number): number {
  return PREPAID_CHARGE_TYPES.has(chargeType) ? quoted / (TERM_HOURS[chargeType] ?? 1) : quoted;
}

/** Builds every provisioner of the config; the schema has already checked every name they refer to. */
export function provisionersOf(config: Config, instancePassword?: string): Map<string, Provisioner> {
  const watches = new Map(config.watches.map((watch) => [watch.name, watch]));
  const result = new Map<string, Provisioner>();
  for (const [name, settings] of Object.entries(config.provisioners)) {
    const users = config.watches.filter((watch) => watch.provision === name).map((watch) => watch.name);
    const policy = settings.stopPolicy === undefined ? undefined : config.stopPolicies[settings.stopPolicy];
    const candidatesFor = (watch: string): Candidate[] =>
      settings.candidates.map((candidate) => {
        const source = watches.get(candidate.watch ?? watch)!;
        const key = keyId({ gpu: candidate.gpu, cpu: candidate.cpu, mem: candidate.memGb });
        return { watch: source.name, key, request: requestOf(settings, source, candidate) };
      });
    result.set(name, {
      name,
      settings,
      stopPolicy: policy && settings.stopPolicy !== undefined ? { name: settings.stopPolicy, policy } : undefined,
      watches: users,
      candidatesFor,
      allRequests: () => uniqueRequests(users.flatMap((watch) => candidatesFor(watch).map((c) => c.request))),
      password: instancePasswordFor(settings, { instancePassword }),
    });
  }
  return result;
}

/** The request shape is the watch's, each part overridable by the provisioner; the row is the candidate's. */
function requestOf(settings: ProvisionerConfig, watch: WatchConfig, row: { gpu: number; cpu: number; memGb: number }): CandidateRequest {
  return {
    zone: settings.zone ?? watch.zone,
    gpuType: settings.gpuType ?? watch.gpuType,
    gpu: row.gpu,
    cpu: row.cpu,
    memGb: row.memGb,
    imageId: settings.imageId ?? watch.imageId,
    machineType: settings.machineType ?? watch.machineType,
    minimalCpuPlatform: settings.minimalCpuPlatform ?? watch.minimalCpuPlatform,
    chargeType: settings.chargeType ?? watch.chargeType,
    disks: settings.disks ?? watch.disks,
    remark: settings.remark,
  };
}

/** The key under which two requests cost the same. */
export function priceKey(request: CandidateRequest): string {
  const { zone, gpuType, gpu, cpu, memGb, imageId, chargeType, disks } = request;
  return JSON.stringify([zone, gpuType, gpu, cpu, memGb, imageId, chargeType, disks.map((d) => [d.isBoot, d.type, d.size])]);
}

function uniqueRequests(requests: readonly CandidateRequest[]): CandidateRequest[] {
  return [...new Map(requests.map((request) => [priceKey(request), request])).values()];
}
