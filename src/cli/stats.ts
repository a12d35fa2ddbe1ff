import { hourOf } from '../store/polls.js';
import { windowStats, type WindowStats } from '../history/windows.js';
import { availabilityGrid, renderGrid, type Grid } from '../history/heatmap.js';
import { formatDuration } from '../util/duration.js';
import { describeAsOf, withHistory } from './history-context.js';

/** One spec key's summary; the field names are part of `stats --json`. */
export interface KeyStats extends WindowStats {
  watch: string;
  gpu: number;
  cpu: number;
  mem: number;
  state: string;
  /** Up to when `state` and an open window are known: now while a daemon polls the watch, else its last poll. */
  asOf: number;
  /** Whether a daemon polls the watch now (else the numbers stop at `asOf`). */
  live: boolean;
  polls: number;
  availabilityPercent: number | null;
  /** grid[weekday Mon..Sun][hour 0..23]: share of polls that found it available, null for no data. */
  grid: Grid;
}

export interface StatsOptions {
  config?: string;
  watch?: string;
  since: string;
  json?: boolean;
}

/** `stats`: per spec key, its availability, windows and heat map over the period. */
export async function stats(options: StatsOptions): Promise<void> {
  await withHistory(options, ({ loaded, store, since, now, asOf }) => {
    const timezone = loaded.config.timezone;
    const repository = store.stats;
    const stats: KeyStats[] = repository.counters(hourOf(since), options.watch).map((key) => {
      const known = asOf(key.watch);
      return {
        watch: key.watch,
        gpu: key.gpu,
        cpu: key.cpu,
        mem: key.mem,
        state: key.state,
        asOf: known.asOf,
        live: known.live,
        polls: key.polls,
        availabilityPercent: key.polls ? Math.round((1000 * key.available) / key.polls) / 10 : null,
        ...windowStats(repository.transitions(key.specKeyId, since), since, known.asOf),
        grid: availabilityGrid(repository.hours(key.specKeyId, hourOf(since)), timezone),
      };
    });
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ since, until: now, timezone, keys: stats }, null, 2)}\n`);
      return;
    }
    if (stats.length === 0) {
      process.stdout.write('no history in this period\n');
      return;
    }
    const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
    const blocks = stats.map((key) => renderKey(key, timezone, colour));
    process.stdout.write(`${blocks.join('\n\n')}\n\nheat map: hour of day (${timezone}); █ mostly available … · never, blank no data\n`);
  });
}

function renderKey(key: KeyStats, timezone: string, colour: boolean): string {
  const duration = (ms: number | null): string => (ms === null ? '-' : formatDuration(ms));
  const percent = key.availabilityPercent === null ? 'no polls' : `${key.availabilityPercent}% available`;
  return [
    `${key.watch}  ${key.gpu} GPU / ${key.cpu} CPU / ${key.mem} GB  ${key.live ? `now ${key.state}` : `${key.state} ${describeAsOf(key, timezone)}`}`,
    `  ${percent} over ${key.polls} polls; ${key.windows} available ${key.windows === 1 ? 'window' : 'windows'}, median ${duration(key.medianWindowMs)}, longest ${duration(key.longestWindowMs)}; back after ${duration(key.medianTimeToReturnMs)} (median)`,
    renderGrid(key.grid, colour)
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n'),
  ].join('\n');
}
