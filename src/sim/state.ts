import { CapacityBook } from './capacity.js';
import { CapacityScript, type TimelineEvent } from './capacity-script.js';
import { SimClock } from './clock.js';
import { FaultBook } from './faults.js';
import { InstanceBook, newInstance, type Instance } from './instances.js';
import { RandomWalk, mulberry32 } from './random-walk.js';
import { RequestLog } from './request-log.js';
import type { InstanceSpec, Scenario, SimSettings } from './scenario.js';

/** A project as GetProjectList lists it. */
export interface Project {
  projectId: string;
  projectName: string;
  isDefault: boolean;
}

/** Everything the simulator knows, in memory; time-driven changes are applied lazily by `sync()`. */
export class SimState {
  readonly region: string;
  readonly projects: readonly Project[];
  readonly capacity = new CapacityBook();
  readonly instances = new InstanceBook();
  readonly faults: FaultBook;
  readonly requests = new RequestLog();
  /** Changed in place by the control API. */
  readonly settings: SimSettings;
  private readonly zones: Set<string>;
  private readonly clock: SimClock;
  private readonly script: CapacityScript;

  /** With a `seed`, capacity follows a random walk and fault rates draw from it; both are then reproducible. */
  constructor(scenario: Scenario, options: { now: () => number; seed?: number | undefined }) {
    this.clock = new SimClock(options.now);
    const start = this.clock.nowSeconds();
    this.region = scenario.region;
    this.zones = new Set(scenario.zones);
    this.projects = scenario.projects;
    this.settings = { listingLagSeconds: scenario.listingLagSeconds };
    // Faults draw from their own stream, so adding a fault never shifts the capacity walk.
    this.faults = new FaultBook(options.seed === undefined ? Math.random : mulberry32(options.seed ^ 0x5eed));
    const timeline: TimelineEvent[] = [];
    for (const { zone, gpuType, rows, timeline: events } of scenario.capacity) {
      this.capacity.replace(zone, gpuType, rows);
      for (const event of events) timeline.push({ at: start + event.at, zone, gpuType, rows: event.rows });
    }
    const walk = options.seed === undefined ? undefined : new RandomWalk(options.seed);
    this.script = new CapacityScript(this.capacity, timeline, walk, start);
    this.addInstances(scenario.instances);
  }

  nowSeconds(): number {
    return this.clock.nowSeconds();
  }

  /** Moves sim time forward and applies whatever fell due on the way. */
  advance(seconds: number): void {
    this.clock.advance(seconds);
    this.sync();
  }

  /** Applies the capacity script, finished boots and due stop schedules up to now. */
  sync(): void {
    const now = this.clock.nowSeconds();
    this.script.advanceTo(now);
    this.instances.advanceTo(now);
  }

  hasZone(zone: string): boolean {
    return this.zones.has(zone);
  }

  /** A zone becomes known when capacity is set for it. */
  addZone(zone: string): void {
    this.zones.add(zone);
  }

  /** The first zone: where an instance spec without a zone goes. */
  defaultZone(): string {
    return this.zones.values().next().value ?? '';
  }

  hasProject(projectId: string): boolean {
    return this.projects.some((project) => project.projectId === projectId);
  }

  /** Seeds instances (validated by the caller); their offsets count from now and listings show them at once. */
  addInstances(specs: readonly InstanceSpec[]): Instance[] {
    const now = this.clock.nowSeconds();
    return specs.map((spec) => {
      const instance = newInstance(
        {
          uhostId: spec.uhostId,
          name: spec.name,
          tag: spec.tag,
          remark: spec.remark,
          state: spec.state,
          chargeType: spec.chargeType,
          zone: spec.zone ?? this.defaultZone(),
          gpuType: spec.gpuType,
          cpuPlatform: 'Intel/Auto',
          gpu: spec.gpu,
          cpu: spec.cpu,
          memoryMb: spec.mem * 1024,
          startTime: now + spec.startAt,
          schedulerStopTime: spec.schedulerStopAt === undefined ? 0 : now + spec.schedulerStopAt,
          periods: 1,
        },
        now,
      );
      this.instances.add(instance);
      return instance;
    });
  }
}
