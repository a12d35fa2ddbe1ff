import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

const RESULTS = new URL('./results.json', import.meta.url);

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

/**
 * What the figures were measured on: on a shared 2-core machine the load average says how much else was running,
 * which matters more than any figure's spread.
 */
function machine(): Record<string, string | number> {
  const all = cpus();
  return {
    cpuModel: all[0]?.model ?? 'unknown',
    cores: all.length,
    loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
    node: process.version,
  };
}

/** Merges one benchmark's figures into results.json (with the machine they ran on) and prints them. */
export function report(name: string, figures: Record<string, number | string | Measured | Record<string, unknown>>): void {
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>;
  } catch {
    // first run
  }
  all[name] = { ...figures, measuredAt: new Date().toISOString(), machine: machine() };
  writeFileSync(RESULTS, `${JSON.stringify(all, null, 2)}\n`);
  console.log(`${name}: ${JSON.stringify(figures, null, 2)}`);
}
