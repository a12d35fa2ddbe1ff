import { z } from 'zod';

export const FAULT_KINDS = ['latency', 'http', 'hang', 'malformed', 'retcode', 'lost-answer'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * A latency fault's `ms` when the spec leaves it out. Every other kind defaults to 0: a lost answer is carried out
 * at once unless a test wants the request still in flight for a while.
 */
const LATENCY_DEFAULT_MS = 1000;

/** A fault as POST /__sim/faults takes it; unset knobs get the defaults below. */
export const faultSpecSchema = z
  .strictObject({
    kind: z.enum(FAULT_KINDS),
    /** Apply to the next N matching requests, then disappear; unset: until DELETE /__sim/faults. */
    count: z.int().positive().optional(),
    /** Probability that a matching request is hit. */
    rate: z.number().min(0).max(1).default(1),
    /** Only requests for this Action. */
    action: z.string().min(1).optional(),
    /**
     * latency: delay before the normal answer (default 1000). lost-answer: delay before the request is carried out
     * (default 0). Unused by the other kinds.
     */
    ms: z.int().nonnegative().optional(),
    /** latency, lost-answer: each hit waits a uniformly random delay from `ms` to `maxMs`, like a network's spread. */
    maxMs: z.int().nonnegative().optional(),
    /** http: the status answered. */
    status: z.int().min(400).max(599).default(503),
    /** retcode: the RetCode answered (153 is the gateway's "rate limited"). */
    retCode: z.int().positive().default(153),
    message: z.string().optional(),
  })
  .transform((spec) => ({ ...spec, ms: spec.ms ?? (spec.kind === 'latency' ? LATENCY_DEFAULT_MS : 0) }))
  .refine((spec) => spec.maxMs === undefined || spec.maxMs >= spec.ms, {
    path: ['maxMs'],
    error: 'must be at least ms',
  });
export type FaultSpec = z.output<typeof faultSpecSchema>;

/** An active fault; `remaining` counts down when `count` was given. */
export type Fault = FaultSpec & { id: number; remaining: number | undefined };

/** The active faults, first added first matched. */
export class FaultBook {
  private faults: Fault[] = [];
  private nextId = 1;

  constructor(private readonly random: () => number) {}

  add(spec: FaultSpec): Fault {
    const fault = { ...spec, id: this.nextId++, remaining: spec.count };
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
  }

  list(): Fault[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  /** The fault that hits a request for `action`, if any; a hit uses up one of its count. */
  take(action: string): Fault | undefined {
    const fault = this.faults.find(
      (candidate) => (candidate.action === undefined || candidate.action === action) && this.random() < candidate.rate,
    );
    if (fault?.remaining !== undefined) {
      fault.remaining -= 1;
      if (fault.remaining === 0) this.faults = this.faults.filter((other) => other !== fault);
    }
    return fault;
  }

  /** How long a latency or lost-answer fault holds a request: `ms`, or a draw from `ms` to `maxMs` given a range. */
  delayMs(fault: Fault): number {
    if (fault.maxMs === undefined) return fault.ms;
    return fault.ms + Math.floor(this.random() * (fault.maxMs - fault.ms + 1));
  }
}
