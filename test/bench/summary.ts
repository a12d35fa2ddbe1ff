import type { CheckedTarget, FigureResult, Machine, Measured } from './results.js';

/**
 * The table `npm run bench` prints at the end: one row per figure (its headline value, p99 where it is a latency,
 * its targets and whether they were met), one indented row per target on a side figure, then each figure's setup.
 */
export function benchTable(figures: ReadonlyArray<{ name: string; result: FigureResult }>, machine: Machine): string {
  const header = ['figure', 'value', 'unit', 'runs', 'spread', 'p99', 'p99 spread', 'target', 'met', 'load', 'speed'];
  const rows: string[][] = [];
  for (const { name, result } of figures) {
    const own = result.targets.filter((target) => target.of === 'value' || target.of === 'p99');
    rows.push([
      name,
      number(result.value),
      result.unit ?? '-',
      number(result.runs),
      range(result.spread),
      number(result.p99?.value ?? null),
      range(result.p99?.spread ?? null),
      own.map(describeTarget).join(', ') || (result.targets.length === 0 ? 'none' : '-'),
      own.length === 0 ? '-' : met(own),
      number(result.load1m),
      number(result.speedCheckMs),
    ]);
    for (const target of result.targets.filter((candidate) => !own.includes(candidate))) {
      const side = result.details[target.of] as Measured | undefined;
      rows.push([`  ${target.of}`, number(target.actual), target.unit, number(side?.runs ?? null), range(side?.spread ?? null), '', '', describeTarget(target), met([target]), '', '']);
    }
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  const missed = figures.filter(({ result }) => result.met === false).map(({ name }) => name);
  return [
    `benchmarks: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.os}; per figure: load = load average (1 min), speed = CPU ms of a fixed 10^7-addition loop when it was measured (lower = faster CPU; compare with a quiet run's)`,
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
    '',
    `${figures.length} figures, ${missed.length === 0 ? 'every target met' : `targets missed: ${missed.join(', ')}`}`,
    '',
    ...figures.map(({ name, result }) => `${name}: ${result.setup}`),
  ].join('\n');
}

function describeTarget(target: CheckedTarget): string {
  const of = target.of === 'value' ? '' : `${target.of} `;
  return `${of}${target.op} ${target.limit} ${target.unit}${target.source === undefined ? '' : ` (${target.source})`}`;
}

function met(targets: readonly CheckedTarget[]): string {
  return targets.every((target) => target.met) ? 'yes' : 'NO';
}

function number(value: number | null): string {
  return value === null ? '-' : String(value);
}

function range(spread: Measured['spread']): string {
  return spread === null ? '-' : `${spread.min}..${spread.max}`;
}
