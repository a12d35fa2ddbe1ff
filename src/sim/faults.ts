import { z } from 'zod';

export const FAULT_KINDS = ['latency', 'http', 'hang', 'malformed', 'retcode', 'lost-answer', 'body', 'huge-body', 'drip'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * `ms` when the spec leaves it out: a latency fault's delay, a drip's pause between bytes (the slow drip of a dying
 * proxy). Every other kind defaults to 0: a lost answer is carried out at once unless a test wants the request
 * still in flight for a while.
 */
const DEFAULT_MS: Partial<Record<FaultKind, number>> = { latency: 1000, drip: 100 };

/** The longest a fault with `forMs` lasts: a day, far past any test. */
export const MAX_FAULT_FOR_MS = 24 * 3600 * 1000;
/** The most of a `body` fault's text the control API takes: room for any odd answer, not for a huge one (huge-body). */
export const MAX_FAULT_BODY_CHARS = 1024 * 1024;
/** The most a `huge-body` fault sends when it gives `bytes`: far past any client's cap, short of filling a disk. */
export const MAX_HUGE_BODY_BYTES = 1024 * 1024 * 1024;

/** A fault as POST /__sim/faults takes it; unset knobs get the defaults below. */
export const faultSpecSchema = z
  .strictObject({
    kind: z.enum(FAULT_KINDS),
    /** Apply to the next N matching requests, then disappear; unset: until DELETE /__sim/faults. */
    count: z.int().positive().optional(),
    /**
     * Apply for this long after it is added (real time), then disappear: a storm, such as a gateway refusing every
     * request for two seconds, lasts a time, however few requests a client sends into it.
     */
    forMs: z.int().positive().max(MAX_FAULT_FOR_MS).optional(),
    /** Probability that a matching request is hit. */
    rate: z.number().min(0).max(1).default(1),
    /** Only requests for this Action. */
    action: z.string().min(1).optional(),
    /**
     * latency: delay before the normal answer (default 1000). lost-answer: delay before the request is carried out
     * (default 0). drip: pause before each byte of the normal answer (default 100). Unused by the other kinds.
     */
    ms: z.int().nonnegative().optional(),
    /** latency, lost-answer: each hit waits a uniformly random delay from `ms` to `maxMs`, like a network's spread. */
    maxMs: z.int().nonnegative().optional(),
    /** http: the status answered (default 503); body: the status its text comes with (default 200). */
    status: z.int().min(200).max(599).optional(),
    /** retcode: the RetCode answered (153 is the gateway's "rate limited"). */
    retCode: z.int().positive().default(153),
    message: z.string().optional(),
    /** body: the text answered instead of the envelope (wrong types, missing fields, HTML, anything). */
    body: z.string().max(MAX_FAULT_BODY_CHARS).optional(),
    /** body: the Content-Type it is answered with (default application/json, whatever the text is). */
    contentType: z.string().min(1).max(200).optional(),
    /** huge-body: how many bytes the answer has; unset: it never ends, until the client hangs up. */
    bytes: z.int().positive().max(MAX_HUGE_BODY_BYTES).optional(),
    /** huge-body: whether the answer declares its length up front (it needs `bytes`), or streams it chunked. */
    declareLength: z.boolean().default(false),
  })
  .transform((spec) => ({
    ...spec,
    ms: spec.ms ?? DEFAULT_MS[spec.kind] ?? 0,
    status: spec.status ?? (spec.kind === 'body' ? 200 : 503),
  }))
  .refine((spec) => spec.kind !== 'http' || spec.status >= 400, { path: ['status'], error: 'an http fault answers 400 to 599' })
  .refine((spec) => spec.kind !== 'body' || spec.body !== undefined, { path: ['body'], error: 'a body fault needs the text it answers' })
  .refine((spec) => !spec.declareLength || spec.bytes !== undefined, {
    path: ['declareLength'],
    error: 'needs bytes: an endless answer has no length to declare',
  })
  .refine((spec) => spec.maxMs === undefined || spec.maxMs >= spec.ms, {
    path: ['maxMs'],
    error: 'must be at least ms',
  });
export type FaultSpec = z.output<typeof faultSpecSchema>;

/**
 * An active fault; `remaining` counts down when `count` was given, `endsAtMs` (on the book's monotonic clock) is
 * when one with `forMs` disappears.
 */
export type Fault = FaultSpec & { id: number; remaining: number | undefined; endsAtMs: number | undefined };

/** The active faults, first added first matched. */
export class FaultBook {
  private faults: Fault[] = [];
  private nextId = 1;

  constructor(
    private readonly random: () => number,
    private readonly monotonic: () => number = () => performance.now(),
  ) {}

  add(spec: FaultSpec): Fault {
    const endsAtMs = spec.forMs === undefined ? undefined : this.monotonic() + spec.forMs;
    const fault = { ...spec, id: this.nextId++, remaining: spec.count, endsAtMs };
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
  }

  list(): Fault[] {
    this.dropEnded();
    return this.faults.map((fault) => ({ ...fault }));
  }

  /** The fault that hits a request for `action`, if any; a hit uses up one of its count. */
  take(action: string): Fault | undefined {
    this.dropEnded();
    const fault = this.faults.find(
      (candidate) => (candidate.action === undefined || candidate.action === action) && this.random() < candidate.rate,
    );
    if (fault?.remaining !== undefined) {
      fault.remaining -= 1;
      if (fault.remaining === 0) this.faults = this.faults.filter((other) => other !== fault);
    }
    return fault;
  }

  private dropEnded(): void {
    const now = this.monotonic();
    if (this.faults.some((fault) => fault.endsAtMs !== undefined && fault.endsAtMs <= now)) {
      this.faults = this.faults.filter((fault) => fault.endsAtMs === undefined || fault.endsAtMs > now);
    }
  }

  /** How long a latency or lost-answer fault holds a request: `ms`, or a draw from `ms` to `maxMs` given a range. */
  delayMs(fault: Fault): number {
    if (fault.maxMs === undefined) return fault.ms;
    return fault.ms + Math.floor(this.random() * (fault.maxMs - fault.ms + 1));
  }
}
