import { describe, expect, it } from 'vitest';
import { figureResult, measured, once } from '../bench/results.js';
import { benchTable } from '../bench/summary.js';

const machine = { cpu: 'Test CPU', cores: 2, node: 'v20.0.0', os: 'linux', load1m: 0.5 };

describe('bench figures', () => {
  it("checks a latency's p99 against its target and keeps the rest as details", () => {
    const result = figureResult('detect_to_notify_ms', {
      setup: 'loopback',
      value: measured([2, 3, 4], 'ms'),
      p99: once(61, 'ms'),
      flips: 210,
    });
    expect(result).toMatchObject({ value: 3, unit: 'ms', runs: 3, spread: { min: 2, max: 4 }, p99: { value: 61 }, met: false, details: { flips: 210 } });
    expect(result.targets).toEqual([{ of: 'p99', op: '<=', limit: 50, unit: 'ms', actual: 61, met: false }]);
  });

  it('checks a target on a side figure, and a strict target at its limit fails', () => {
    const result = figureResult('scale_500_watches', { setup: 'fleet', value: once(1, 's'), rssSteadyMedian: once(110, 'MB') });
    expect(result.targets.map((target) => [target.of, target.actual, target.met])).toEqual([
      ['value', 1, false],
      ['rssSteadyMedian', 110, true],
    ]);
  });

  it('a figure without the measure its target names misses it; one not in the list has no target', () => {
    expect(figureResult('stats_query_ms', { setup: 'x', value: once(5, 'ms') }).met).toBe(false);
    expect(figureResult('record_poll_us', { setup: 'x', value: once(5, 'µs') })).toMatchObject({ targets: [], met: null });
  });

  it('the table has a row per figure, a row per side target, and names the missed ones', () => {
    const table = benchTable(
      [
        { name: 'scale_500_watches', result: figureResult('scale_500_watches', { setup: 'fleet of 500', value: once(0.8, 's'), rssSteadyMedian: once(130, 'MB') }) },
        { name: 'history_bytes_per_key_day', result: figureResult('history_bytes_per_key_day', { setup: 'polls', value: measured([2.5, 2.6, 2.9], 'KB', 2) }) },
      ],
      machine,
    );
    const lines = table.split('\n');
    expect(lines[0]).toContain('Test CPU, 2 cores, Node v20.0.0');
    expect(lines.find((line) => line.startsWith('scale_500_watches'))).toMatch(/0\.8\s+s\s+1\s+-.*< 1 s\s+yes/);
    expect(lines.find((line) => line.startsWith('  rssSteadyMedian'))).toMatch(/130\s+MB.*<= 120 MB\s+NO/);
    expect(lines.find((line) => line.startsWith('history_bytes_per_key_day'))).toMatch(/2\.6\s+KB\s+3\s+2\.5\.\.2\.9.*<= 20 KB\s+yes/);
    expect(table).toContain('2 figures, targets missed: scale_500_watches');
    expect(table).toContain('scale_500_watches: fleet of 500');
  });
});
