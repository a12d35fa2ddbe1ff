import { hourOf } from '../store/polls.js';
import { windowStats, type WindowStats } from '../history/windows.js';
import { availabilityGrid, renderGrid, type Grid } from '../history/heatmap.js';
import { foldWeek } from '../history/week-cells.js';
import { forecaster, formatChance, formatWeekdayTime, type Forecast } from '../history/forecast.js';
import { formatDuration } from '../util/duration.js';
import { formatLocalIsoTime } from '../util/time-format.js';
import { describeAsOf, withHistory, type HistoryContext } from './history-context.js';

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
  forecast: KeyForecast;
}

/** When the history expects a key back; percentages like `availabilityPercent`. See history/forecast.ts. */
export interface KeyForecast {
  /** A daemon polls the watch and the key is available: the chances still say what the history alone expects. */
  availableNow: boolean;
  /** Hours of the period with polls; 0 means there was nothing to forecast from. */
  observedHours: number;
  /** Whether it was free in any hour of the period. */
  everAvailable: boolean;
  /** Within the next 1, 6 and 24 hours; `hoursWithData` of them fall in weekday x hour cells the period observed. */
  chances: Array<{ withinHours: number; chancePercent: number; hoursWithData: number }>;
  /** The hour it most likely becomes free first in the coming week, and the chance it is free in that hour. */
  nextWindow: { at: number; atLocal: string; chancePercent: number } | null;
}

export interface StatsOptions {
  config?: string;
  watch?: string;
  since: string;
  json?: boolean;
}

/** What `stats --json` prints: the period, the timezone its grids and local times use, and every key's summary. */
export interface StatsReport {
  since: number;
  until: number;
  timezone: string;
  keys: KeyStats[];
}

/** `stats`: per spec key, its availability, windows, heat map and forecast over the period. */
export async function stats(options: StatsOptions): Promise<void> {
  await withHistory(options, (context) => {
    const report = statsReport(context, options.watch);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return;
    }
    if (report.keys.length === 0) {
      process.stdout.write('no history in this period\n');
      return;
    }
    const { since, until, timezone } = report;
    const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
    const blocks = report.keys.map((key) => renderKey(key, formatDuration(until - since), timezone, colour));
    process.stdout.write(`${blocks.join('\n\n')}\n\nheat map: hour of day (${timezone}); █ mostly available … · never, blank no data\n`);
  });
}

/** Every key's summary over the context's period (of one watch when `watch` is given), read from the history. */
export function statsReport({ loaded, store, since, now, asOf }: HistoryContext, watch?: string): StatsReport {
  const timezone = loaded.config.timezone;
  const repository = store.stats;
  const forecast = forecaster(timezone, now);
  const historyOf = repository.history(hourOf(since), hourOf(now));
  // Keys' next windows fall in a few hours of the week, and an Intl conversion costs tens of µs: once per hour.
  const localTimes = new Map<number, string>();
  const atLocal = (at: number): string => {
    let text = localTimes.get(at);
    if (text === undefined) {
      text = formatLocalIsoTime(at, timezone);
      localTimes.set(at, text);
    }
    return text;
  };
  const keys: KeyStats[] = repository.keys(watch).map((key) => {
    const known = asOf(key.watch);
    const { series, transitions } = historyOf(key.specKeyId);
    const week = foldWeek(series, timezone);
    const { polls, available } = week.totals;
    return {
      watch: key.watch,
      gpu: key.gpu,
      cpu: key.cpu,
      mem: key.mem,
      state: key.state,
      asOf: known.asOf,
      live: known.live,
      polls,
      availabilityPercent: polls ? Math.round((1000 * available) / polls) / 10 : null,
      ...windowStats(transitions, since, known.asOf),
      grid: availabilityGrid(week),
      forecast: keyForecast(forecast(week), known.live && key.state === 'available', atLocal),
    };
  });
  return { since, until: now, timezone, keys };
}

function keyForecast(forecast: Forecast, availableNow: boolean, atLocal: (at: number) => string): KeyForecast {
  const percent = (fraction: number) => Math.round(1000 * fraction) / 10;
  const { next } = forecast;
  return {
    availableNow,
    observedHours: forecast.observedHours,
    everAvailable: forecast.everAvailable,
    chances: forecast.within.map((chance) => ({
      withinHours: chance.hours,
      chancePercent: percent(chance.chance),
      hoursWithData: Math.round(10 * chance.hoursWithData) / 10,
    })),
    nextWindow: next === null ? null : { at: next.at, atLocal: atLocal(next.at), chancePercent: percent(next.chance) },
  };
}

/** `forecast: 92% within 1h, 99% within 6h, >99% within 24h; most likely next at Tue 03:00 (100%)`. */
function renderForecast(forecast: KeyForecast, period: string, timezone: string): string {
  if (forecast.availableNow) return 'forecast: available now';
  if (forecast.observedHours === 0) return `forecast: no polls in the last ${period} to forecast from`;
  if (!forecast.everAvailable) return `forecast: never available in the last ${period}`;
  const chances = forecast.chances.map((chance) => `${formatChance(chance.chancePercent)} within ${chance.withinHours}h`).join(', ');
  const { nextWindow } = forecast;
  const next = nextWindow === null
    ? 'no likely window in the next 7 days'
    : `most likely next at ${formatWeekdayTime(nextWindow.at, timezone)} (${formatChance(nextWindow.chancePercent)})`;
  const widest = forecast.chances[forecast.chances.length - 1]!;
  const unknown = Math.round(10 * (widest.withinHours - widest.hoursWithData)) / 10;
  const gap = unknown > 0 ? `; no history for ${unknown} of the next ${widest.withinHours}h` : '';
  return `forecast: ${chances}; ${next}${gap}`;
}

function renderKey(key: KeyStats, period: string, timezone: string, colour: boolean): string {
  const duration = (ms: number | null): string => (ms === null ? '-' : formatDuration(ms));
  const percent = key.availabilityPercent === null ? 'no polls' : `${key.availabilityPercent}% available`;
  return [
    `${key.watch}  ${key.gpu} GPU / ${key.cpu} CPU / ${key.mem} GB  ${key.live ? `now ${key.state}` : `${key.state} ${describeAsOf(key, timezone)}`}`,
    `  ${percent} over ${key.polls} polls; ${key.windows} available ${key.windows === 1 ? 'window' : 'windows'}, median ${duration(key.medianWindowMs)}, longest ${duration(key.longestWindowMs)}; back after ${duration(key.medianTimeToReturnMs)} (median)`,
    `  ${renderForecast(key.forecast, period, timezone)}`,
    renderGrid(key.grid, colour)
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n'),
  ].join('\n');
}
