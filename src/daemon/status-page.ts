import type { Config } from '../config/schema.js';
import type { HistoryStore } from '../store/history-store.js';
import { hourOf } from '../store/polls.js';
import { availabilityGrid } from '../history/heatmap.js';
import { forecaster, formatChance, formatWeekdayTime, type Forecast } from '../history/forecast.js';
import { foldWeek, type WeekCells } from '../history/week-cells.js';
import type { KeyHistory } from '../store/weekly-rollup.js';
import { windowStats } from '../history/windows.js';
import { LOCALES, type Locale } from '../notify/locales/index.js';
import { formatDuration } from '../util/duration.js';
import { formatLocalTime } from '../util/time-format.js';
import type { DaemonState, WatchView } from './state-view.js';
import { PAGE_TEXT, type PageText } from './status-page-text.js';
import { availabilityBar, heatMap, slicesOf } from './status-page-svg.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** How many recent events the page lists. */
export const PAGE_EVENTS = 12;
/** How far back the heat map and the forecast read; the bars show the last 7 days of the same rows. */
const HEAT_MAP_DAYS = 30;
/** The horizon the page gives a chance for (stats gives them all). */
const PAGE_FORECAST_HOURS = 6;

export interface StatusPageInput {
  state: DaemonState;
  store: HistoryStore;
  config: Config;
  /** `?lang=`: `en` or `zh-CN`; anything else falls back to the config's locale. */
  lang: string | null;
  /** `?token=` as given, so the language link keeps working where the token came in the URL. */
  token: string | null;
}

/** Escapes text for HTML content and quoted attributes: every string from the config or the far end goes through it. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** What one render reads of the history: each key's hours once, shared by its bars, heat map and forecast. */
interface PageHistory {
  /** Null: a configured key the history has not seen yet. */
  hours(specKeyId: number | null): KeyHours;
  forecast(week: WeekCells): Forecast;
}

interface KeyHours extends KeyHistory {
  week: WeekCells;
}

/** The history of a configured key the database has not seen yet: no hours, no transitions. */
const UNSEEN: KeyHistory = { series: { firstHour: 0, polls: new Uint32Array(0), available: new Uint32Array(0) }, transitions: [] };

function pageHistory(input: StatusPageInput): PageHistory {
  const historyOf = input.store.stats.history(hourOf(input.state.at - HEAT_MAP_DAYS * DAY_MS), hourOf(input.state.at));
  const read = new Map<number | null, KeyHours>();
  return {
    hours(specKeyId) {
      let hours = read.get(specKeyId);
      if (hours === undefined) {
        const history = specKeyId === null ? UNSEEN : historyOf(specKeyId);
        hours = { ...history, week: foldWeek(history.series, input.config.timezone) };
        read.set(specKeyId, hours);
      }
      return hours;
    },
    forecast: forecaster(input.config.timezone, input.state.at),
  };
}

/** The status page: server-rendered HTML with inline CSS and SVG, loading nothing else, readable on a phone. */
export function renderStatusPage(input: StatusPageInput): string {
  const history = pageHistory(input);
  const locale: Locale = LOCALES.find((known) => known === input.lang) ?? input.config.locale;
  const t = PAGE_TEXT[locale];
  const time = (ms: number | null) => (ms === null ? '-' : escapeHtml(formatLocalTime(ms, input.config.timezone)));
  const other: Locale = locale === 'en' ? 'zh-CN' : 'en';
  const query = new URLSearchParams({ lang: other, ...(input.token === null ? {} : { token: input.token }) });
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t.title)}</title><style>${STYLE}</style></head>
<body><header><h1>${escapeHtml(t.title)}</h1><p>${t.generated} ${time(input.state.at)} · <a href="?${escapeHtml(query.toString())}">${t.language}</a></p></header>
<section><h2>${t.watches}</h2>${input.state.watches.map((watch) => watchBlock(input, history, watch, t, time)).join('')}</section>
<section><h2>${t.heatMap}</h2><p class="note">${t.heatMapNote}</p>${heatMaps(input, history, t)}</section>
<section><h2>${t.events}</h2>${eventList(input, t, time)}</section>
<section><h2>${t.instances}</h2>${instanceList(input, t, time)}</section>
<section><h2>${t.outbox}</h2>${outboxList(input, t, time)}</section>
</body></html>`;
}

type TimeText = (ms: number | null) => string;

function watchBlock(input: StatusPageInput, history: PageHistory, watch: WatchView, t: PageText, time: TimeText): string {
  const { store, state } = input;
  const health = watch.blind ? t.blind : watch.late ? t.late : watch.result === 'failing' ? t.failing : watch.result === 'never' ? t.never : t.ok;
  const healthClass = watch.blind || watch.late || watch.result === 'failing' ? 'bad' : 'good';
  const stored = store.stats.keys(watch.name);
  const rows = watch.keys.map((key) => {
    const seen = stored.find((c) => c.gpu === key.gpu && c.cpu === key.cpu && c.mem === key.mem);
    const hours = history.hours(seen?.specKeyId ?? null);
    const since = state.at - 7 * DAY_MS;
    const typical = windowStats(hours.transitions, since, state.at).medianWindowMs;
    const spec = `${key.gpu} / ${key.cpu} / ${key.mem} GB`;
    return `<div class="key"><div class="head"><span class="spec">${spec}</span>
<span class="state ${key.state}">${key.state === 'available' ? t.available : t.soldout}</span>
<span class="muted">${t.since} ${time(key.since)}</span></div>
<div class="bars"><div><small>${t.last24h}</small>${availabilityBar(slicesOf(hours.series, state.at, 24, 24), `${spec} ${t.last24h}`, t.noData)}</div>
<div><small>${t.last7d}</small>${availabilityBar(slicesOf(hours.series, state.at, 168, 42), `${spec} ${t.last7d}`, t.noData)}</div></div>
<div class="muted">${t.typicalWindow}: ${typical === null ? '-' : formatDuration(typical)}</div>
<div class="muted forecast">${t.forecast}: ${forecastText(key.state === 'available', history.forecast(hours.week), input.config.timezone, t)}</div></div>`;
  });
  const error = watch.lastError === null || watch.result !== 'failing' ? '' : `<p class="error">${escapeHtml(watch.lastError)}</p>`;
  return `<article class="watch"><h3>${escapeHtml(watch.name)} <small>${escapeHtml(watch.gpuType)} · ${escapeHtml(watch.zone)}</small>
<span class="health ${healthClass}">${health}</span></h3><p class="muted">${t.lastPoll}: ${time(watch.lastPollAt)}</p>${error}
${rows.length ? rows.join('') : `<p class="muted">${t.noData}</p>`}</article>`;
}

/** "85% within 6 h · most likely next: Tue 03:00 (100%)", or why there is no such forecast. */
function forecastText(availableNow: boolean, forecast: Forecast, timezone: string, t: PageText): string {
  if (availableNow) return t.availableNow;
  if (forecast.observedHours === 0) return t.noData;
  if (!forecast.everAvailable) return t.neverInPeriod;
  const within = forecast.within.find((chance) => chance.hours === PAGE_FORECAST_HOURS)!;
  const chance = t.chanceWithin6h(formatChance(100 * within.chance));
  const { next } = forecast;
  if (next === null) return chance;
  return `${chance} · ${t.mostLikelyNext}: ${formatWeekdayTime(next.at, timezone, t.weekdays)} (${formatChance(100 * next.chance)})`;
}

function heatMaps(input: StatusPageInput, history: PageHistory, t: PageText): string {
  const maps = input.store.stats.keys().filter((key) => input.config.watches.some((watch) => watch.name === key.watch)).map((key) => {
    const label = escapeHtml(`${key.watch} ${key.gpu} / ${key.cpu} / ${key.mem} GB`);
    const grid = availabilityGrid(history.hours(key.specKeyId).week);
    return `<figure><figcaption>${label}</figcaption>${heatMap(grid, t.weekdays, label)}</figure>`;
  });
  return maps.length ? maps.join('') : `<p class="muted">${t.noData}</p>`;
}

function eventList(input: StatusPageInput, t: PageText, time: TimeText): string {
  const events = input.store.events.list(input.state.at - 7 * DAY_MS).slice(0, PAGE_EVENTS);
  if (events.length === 0) return `<p class="muted">${t.noEvents}</p>`;
  const items = events.map((event) => {
    const { gpu, cpu, mem } = event.payload;
    const spec = typeof gpu === 'number' ? ` ${gpu} / ${String(cpu)} / ${String(mem)} GB` : '';
    return `<li><span class="muted">${time(event.createdAt)}</span> <code>${escapeHtml(event.type)}</code> ${escapeHtml(event.watch ?? '')}${escapeHtml(spec)}</li>`;
  });
  return `<ul class="events">${items.join('')}</ul>`;
}

function instanceList(input: StatusPageInput, t: PageText, time: TimeText): string {
  if (input.state.instances.length === 0) return `<p class="muted">${t.noInstances}</p>`;
  const items = input.state.instances.map((instance) => {
    const stop = instance.stopTime === null ? t.noStop : `${t.stopAt} ${time(instance.stopTime * 1000)}`;
    return `<li><b>${escapeHtml(instance.name)}</b> <code>${escapeHtml(instance.instanceId ?? '-')}</code> ${escapeHtml(instance.state ?? '')} · ${stop}</li>`;
  });
  return `<ul>${items.join('')}</ul>`;
}

function outboxList(input: StatusPageInput, t: PageText, time: TimeText): string {
  const channels = input.state.outbox.channels.filter((channel) => channel.pending > 0 || channel.failed > 0);
  if (channels.length === 0) return `<p class="muted">${t.empty}</p>`;
  const items = channels.map((channel) => {
    const oldest = channel.oldestPendingAt === null ? '' : ` (${t.since} ${time(channel.oldestPendingAt)})`;
    return `<li><b>${escapeHtml(channel.channel)}</b>: ${channel.pending} ${t.pending}${oldest}, ${channel.failed} ${t.failed}</li>`;
  });
  return `<ul>${items.join('')}</ul>`;
}

const STYLE = `
*{box-sizing:border-box}body{margin:0 auto;max-width:60rem;padding:0.75rem;font:15px/1.45 system-ui,-apple-system,"Noto Sans CJK SC","PingFang SC",sans-serif;color:#1f2328;background:#f6f8fa}
h1{font-size:1.3rem;margin:0}h2{font-size:1.1rem;margin:1.2rem 0 0.5rem}h3{font-size:1rem;margin:0 0 0.25rem;display:flex;flex-wrap:wrap;gap:0.4rem;align-items:baseline}
header p{margin:0.2rem 0;color:#59636e}a{color:#0969da}
.watch{background:#fff;border:1px solid #d1d9e0;border-radius:8px;padding:0.6rem;margin-bottom:0.6rem}
.key{border-top:1px solid #eef0f3;padding:0.5rem 0}.head{display:flex;flex-wrap:wrap;gap:0.5rem;align-items:baseline}
.spec{font-weight:600}.state{padding:0 0.45rem;border-radius:1rem;color:#fff;font-size:0.85rem}.state.available{background:#2da44e}.state.soldout{background:#cf222e}
.health{margin-left:auto;font-size:0.8rem;padding:0 0.45rem;border-radius:1rem}.health.good{background:#dafbe1;color:#116329}.health.bad{background:#ffebe9;color:#a40e26}
.bars{display:grid;grid-template-columns:1fr;gap:0.3rem;margin:0.35rem 0}@media(min-width:640px){.bars{grid-template-columns:1fr 1fr}}
.bar{display:block;width:100%;height:18px}.heat{display:block;width:100%;max-width:34rem;font-size:8px;fill:#59636e}
figure{margin:0 0 0.8rem}figcaption{font-size:0.85rem;margin-bottom:0.2rem}
.muted,small{color:#59636e}.note{font-size:0.85rem;color:#59636e}.error{color:#a40e26;word-break:break-word}
ul{padding-left:1.1rem}li{margin:0.15rem 0;word-break:break-word}code{font-size:0.85em}`;
