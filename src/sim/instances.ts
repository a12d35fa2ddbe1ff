import { randomBytes } from 'node:crypto';
import { instancePrice } from './pricing.js';

/** The states DescribeCompShareInstance documents (the empty state is left out: nothing produces it). */
export const INSTANCE_STATES = [
  'Initializing',
  'Starting',
  'Running',
  'Stopping',
  'Stopped',
  'Install Fail',
  'Rebooting',
  'Resizing',
] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];

export const CHARGE_TYPES = ['Year', 'Month', 'Day', 'Dynamic', 'Postpay', 'Spot'] as const;
export type ChargeType = (typeof CHARGE_TYPES)[number];

/** Sim seconds an instance spends Initializing (after Create) or Starting (after Start) before it runs. */
export const BOOT_SECONDS = 10;

/** The length of one prepaid period; hourly charge types have none and never expire. */
const PERIOD_SECONDS: Partial<Record<ChargeType, number>> = {
  Day: 86_400,
  Month: 30 * 86_400,
  Year: 365 * 86_400,
};

/** An instance as the simulator keeps it; times are unix seconds, 0 meaning "none". */
export interface Instance {
  uhostId: string;
  name: string;
  tag: string;
  remark: string;
  state: InstanceState;
  chargeType: ChargeType;
  zone: string;
  gpuType: string;
  machineType: string;
  cpuPlatform: string;
  gpu: number;
  cpu: number;
  memoryMb: number;
  createTime: number;
  startTime: number;
  expireTime: number;
  updateTime: number;
  schedulerStopTime: number;
  stopTime: number;
  /** When an Initializing or Starting instance becomes Running. */
  readyAt: number | undefined;
  /** From when DescribeCompShareInstance lists it: a real cloud's listing lags behind a create for a while. */
  listedAt: number;
}

/** What a caller chooses about a new instance; the rest follows from the charge type and the clock. */
export type NewInstance = Pick<
  Instance,
  'name' | 'tag' | 'remark' | 'state' | 'chargeType' | 'zone' | 'gpuType' | 'cpuPlatform' | 'gpu' | 'cpu' | 'memoryMb'
> & {
  uhostId?: string | undefined;
  startTime: number;
  schedulerStopTime: number;
  /** Prepaid periods bought (Create's `Quantity`); for Month, 0 buys up to the end of the month. */
  periods: number;
  /** Seconds after its creation before listings show it; default 0. */
  listingLagSeconds?: number | undefined;
};

/** A UHostSet row with the wire's field names and types. */
export interface UHostRow {
  UHostId: string;
  Name: string;
  Tag: string;
  Remark: string;
  State: string;
  ChargeType: string;
  Region: string;
  Zone: string;
  GpuType: string;
  MachineType: string;
  CpuPlatform: string;
  InstanceType: string;
  GPU: number;
  CPU: number;
  Memory: number;
  CreateTime: number;
  StartTime: number;
  ExpireTime: number;
  UpdateTime: number;
  SchedulerStopTime: number;
  /** The same time under the name older SDKs read; SchedulerStopTime is the contract's. */
  StopSchedulerTime: number;
  StopTime: number;
  InstancePrice: number;
}

/** Builds an instance as of `now`; one created Initializing or Starting boots on its own after BOOT_SECONDS. */
export function newInstance(fields: NewInstance, now: number): Instance {
  const booting = fields.state === 'Initializing' || fields.state === 'Starting';
  const { periods, listingLagSeconds = 0, ...chosen } = fields;
  const createTime = Math.min(now, fields.startTime || now);
  return {
    ...chosen,
    uhostId: fields.uhostId ?? `uhost-${randomBytes(5).toString('hex')}`,
    machineType: 'G',
    createTime,
    startTime: booting ? 0 : fields.startTime,
    expireTime: expiry(fields.chargeType, createTime, periods),
    updateTime: now,
    stopTime: fields.state === 'Stopped' ? now : 0,
    readyAt: booting ? now + BOOT_SECONDS : undefined,
    listedAt: createTime + listingLagSeconds,
  };
}

function expiry(chargeType: ChargeType, createTime: number, periods: number): number {
  const period = PERIOD_SECONDS[chargeType];
  if (period === undefined) return 0;
  if (chargeType === 'Month' && periods === 0) {
    const created = new Date(createTime * 1000);
    return Date.UTC(created.getUTCFullYear(), created.getUTCMonth() + 1, 1) / 1000;
  }
  return createTime + period * periods;
}

/** Start (from Stopped): the instance is Starting until it has booted. */
export function startInstance(instance: Instance, now: number): void {
  instance.state = 'Starting';
  instance.readyAt = now + BOOT_SECONDS;
  instance.updateTime = now;
}

/** Stop (from Running), by request or by the stop schedule. */
export function stopInstance(instance: Instance, at: number): void {
  instance.state = 'Stopped';
  instance.stopTime = at;
  instance.updateTime = at;
}

/** Instances in memory, in creation order (the order DescribeCompShareInstance lists them). */
export class InstanceBook {
  private readonly byId = new Map<string, Instance>();

  add(instance: Instance): void {
    this.byId.set(instance.uhostId, instance);
  }

  get(uhostId: string): Instance | undefined {
    return this.byId.get(uhostId);
  }

  list(): Instance[] {
    return [...this.byId.values()];
  }

  /** Completes boots and fires stop schedules that fell due by `now`, each at its own time. */
  advanceTo(now: number): void {
    for (const instance of this.byId.values()) {
      if (instance.readyAt !== undefined && instance.readyAt <= now) {
        instance.state = 'Running';
        instance.startTime = instance.updateTime = instance.readyAt;
        instance.readyAt = undefined;
      }
      const stopAt = instance.schedulerStopTime;
      if (stopAt > 0 && stopAt <= now) {
        if (instance.state === 'Running') stopInstance(instance, stopAt);
        // A schedule is one-shot: once its time has passed it is gone, whatever state the instance was in.
        instance.schedulerStopTime = 0;
      }
    }
  }
}

/** The instance as DescribeCompShareInstance returns it. */
export function toUHostRow(instance: Instance, region: string): UHostRow {
  return {
    UHostId: instance.uhostId,
    Name: instance.name,
    Tag: instance.tag,
    Remark: instance.remark,
    State: instance.state,
    ChargeType: instance.chargeType,
    Region: region,
    Zone: instance.zone,
    GpuType: instance.gpuType,
    MachineType: instance.machineType,
    CpuPlatform: instance.cpuPlatform,
    InstanceType: 'UHost',
    GPU: instance.gpu,
    CPU: instance.cpu,
    Memory: instance.memoryMb,
    CreateTime: instance.createTime,
    StartTime: instance.startTime,
    ExpireTime: instance.expireTime,
    UpdateTime: instance.updateTime,
    SchedulerStopTime: instance.schedulerStopTime,
    StopSchedulerTime: instance.schedulerStopTime,
    StopTime: instance.stopTime,
    InstancePrice: instancePrice(instance.gpuType, instance.gpu, instance.chargeType),
  };
}
