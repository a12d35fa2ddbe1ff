import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release } from 'node:os';

const RESULTS = new URL('./results.json', import.meta.url);

/** Set by the bench run's global setup: where each `report` appends its figure for the table printed at the end. */
export const RUN_FIGURES_ENV = 'COMPSHARE_BENCH_FIGURES';

/** A figure taken over several runs: the median, how many runs, and the lowest and highest run. */
export interface Measured {
  value: number;
  unit: string;
  runs: number;
  /** null for a figure from one run. */
  spread: { min: number; max: number } | null;
}

/** A figure from a single run (a long one, where several would not be affordable). */
export function once(value: number, unit: string, digits = 2): Measured {
  return { value: Number(value.toFixed(digits)), unit, runs: 1, spread: null };
}

/** The median of `samples` with their range; `digits` rounds every number (results.json stays readable). */
export function measured(samples: readonly number[], unit: string, digits = 1): Measured {
  if (samples.length === 0) throw new Error(`no samples for a figure in ${unit}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const round = (value: number) => Number(value.toFixed(digits));
  return {
    value: round(median),
    unit,
    runs: samples.length,
    spread: { min: round(sorted[0]!), max: round(sorted[sorted.length - 1]!) },
  };
}

/** The value at quantile `q` (0..1) of `samples`, nearest rank; NaN when there are none. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** What a figure must reach: `of` names its `value`, its `p99`, or one of its Measured details. */
export interface Target {
  of: string;
  op: '<=' | '<';
  limit: number;
  unit: string;
  /** Where the target comes from when it is not issue 13's. */
  source?: string;
}

/** The figures `npm run bench` measures, named as issue 13 names them, with their targets. */
export const TARGETS: Readonly<Record<string, readonly Target[]>> = {
  detect_to_notify_ms: [{ of: 'p99', op: '<=', limit: 50, unit: 'ms' }],
  detect_to_create_ms: [{ of: 'p99', op: '<=', limit: 20, unit: 'ms' }],
  call_latency_vs_python_sdk: [
    { of: 'value', op: '<=', limit: 0.5, unit: 'x' },
    { of: 'p99', op: '<=', limit: 1, unit: 'x' },
  ],
  poll_cpu_vs_raw_undici: [{ of: 'value', op: '<=', limit: 1.3, unit: 'x' }],
  scale_500_watches: [
    { of: 'value', op: '<', limit: 1, unit: 's' },
    { of: 'rssSteadyMedian', op: '<=', limit: 120, unit: 'MB' },
  ],
  history_bytes_per_key_day: [{ of: 'value', op: '<=', limit: 20, unit: 'KB' }],
  stats_query_ms: [{ of: 'p99', op: '<=', limit: 20, unit: 'ms' }],
  cli_startup_ms: [{ of: 'helpVsBareNode', op: '<=', limit: 3, unit: 'x', source: "README's --help claim (2.6-2.8x)" }],
};

/**
 * One figure as a bench reports it: `setup` says what was measured and how, `value` is the headline (the median, a
 * latency's p50), `p99` a latency's tail; every other field is a detail (counts, parts of the path, side figures).
 */
export interface FigureInput {
  setup: string;
  value?: Measured;
  p99?: Measured;
  [detail: string]: Detail | undefined;
}

export type Detail = number | string | Measured | Record<string, unknown>;

/** A target checked against this run's figure: `actual` is null when the figure lacks what it names. */
export interface CheckedTarget extends Target {
  actual: number | null;
  met: boolean;
}

/** A figure as results.json holds it. */
export interface FigureResult {
  value: number | null;
  unit: string | null;
  runs: number | null;
  spread: Measured['spread'];
  p99?: { value: number; spread: Measured['spread'] };
  targets: CheckedTarget[];
  /** Every target met; null for a figure without targets. */
  met: boolean | null;
  setup: string;
  measuredAt: string;
  /** The load average when it was measured: on a shared machine it says more than any spread. */
  load1m: number;
  /** How slow the CPU was when it was measured: see `speedCheckMs`. */
  speedCheckMs: number;
  details: Record<string, Detail>;
}

export interface Results {
  machine: Machine;
  figures: Record<string, FigureResult>;
}

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  os: string;
  load1m: number;
}

/** What the figures were measured on; `load1m` as of the last figure written. */
function machine(): Machine {
  const all = cpus();
  return {
    cpu: all[0]?.model ?? 'unknown',
    cores: all.length,
    node: process.version,
    os: `${platform()} ${release()} ${arch()}`,
    load1m: loadAverage(),
  };
}

function loadAverage(): number {
  return Number(loadavg()[0]!.toFixed(2));
}

/**
 * CPU ms of a fixed loop of 10^7 additions. The load average says others ran; this says how much slower that made
 * this process's own CPU time (shared cores, steal), so a figure taken on a busy machine can be scaled against the
 * same check on a quiet one.
 */
export function speedCheckMs(): number {
  const before = process.cpuUsage();
  let sum = 0;
  for (let i = 0; i < 10_000_000; i++) sum += i;
  const used = process.cpuUsage(before);
  if (sum < 0) throw new Error('unreachable');
  return Number(((used.user + used.system) / 1000).toFixed(1));
}

/** The figure in results.json form, with its targets checked. */
export function figureResult(name: string, input: FigureInput, measuredAt = new Date()): FigureResult {
  const { setup, value, p99, ...rest } = input;
  const details: Record<string, Detail> = {};
  for (const [key, detail] of Object.entries(rest)) if (detail !== undefined) details[key] = detail;
  const targets = (TARGETS[name] ?? []).map((target): CheckedTarget => {
    const named = target.of === 'value' ? value : target.of === 'p99' ? p99 : details[target.of];
    const actual = typeof named === 'object' && typeof named.value === 'number' ? named.value : null;
    const met = actual !== null && (target.op === '<' ? actual < target.limit : actual <= target.limit);
    return { ...target, actual, met };
  });
  return {
    value: value?.value ?? null,
    unit: value?.unit ?? null,
    runs: value?.runs ?? null,
    spread: value?.spread ?? null,
    ...(p99 === undefined ? {} : { p99: { value: p99.value, spread: p99.spread } }),
    targets,
    met: targets.length === 0 ? null : targets.every((target) => target.met),
    setup,
    measuredAt: measuredAt.toISOString(),
    load1m: loadAverage(),
    speedCheckMs: speedCheckMs(),
    details,
  };
}

/** results.json as it stands; a missing file or one of an older shape starts afresh. */
export function readResults(path: URL | string = RESULTS): Results {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<Results>;
    if (typeof parsed.figures === 'object' && parsed.figures !== null) return { machine: machine(), figures: parsed.figures };
  } catch {
    // first run
  }
  return { machine: machine(), figures: {} };
}

/**
 * Records one figure: merges it into results.json (figures this run did not measure keep their last value) and,
 * inside `npm run bench`, appends it to the run's list so the table at the end shows what this run measured.
 */
export function report(name: string, input: FigureInput): void {
  const result = figureResult(name, input);
  const all = readResults();
  all.figures[name] = result;
  writeFileSync(RESULTS, `${JSON.stringify(all, null, 2)}\n`);
  const runFile = process.env[RUN_FIGURES_ENV];
  if (runFile !== undefined) appendFileSync(runFile, `${JSON.stringify({ name, result })}\n`);
  console.log(`${name}: ${JSON.stringify(result, null, 2)}`);
}
