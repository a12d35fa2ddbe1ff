import type { HourSeries } from '../store/weekly-rollup.js';
import type { Grid } from '../history/heatmap.js';

/** One slice of an availability bar: the share of polls that found the key available, null without polls. */
export type Slice = number | null;

const MS_PER_HOUR = 3_600_000;

/**
 * A key's hourly counters folded into `slices` equal slices of the `hours` hours that end with the current one,
 * oldest first: the beats of an Uptime-Kuma-style bar.
 */
export function slicesOf(series: HourSeries, nowMs: number, hours: number, slices: number): Slice[] {
  const lastHour = Math.floor(nowMs / MS_PER_HOUR);
  const firstHour = lastHour - hours + 1;
  const polls = new Array<number>(slices).fill(0);
  const available = new Array<number>(slices).fill(0);
  for (let index = 0; index < series.polls.length; index++) {
    const hour = series.firstHour + index;
    if (hour < firstHour || hour > lastHour) continue;
    const slice = Math.floor(((hour - firstHour) * slices) / hours);
    polls[slice]! += series.polls[index]!;
    available[slice]! += series.available[index]!;
  }
  return polls.map((count, index) => (count === 0 ? null : available[index]! / count));
}

/** Green when always available, red when never, amber between, grey without data. */
function colourOf(share: Slice): string {
  if (share === null) return '#d0d4da';
  if (share >= 0.999) return '#2da44e';
  if (share <= 0.001) return '#cf222e';
  return '#d4a72c';
}

/** A row of rounded beats that stretches to its container's width; each beat's title says its share. */
export function availabilityBar(slices: readonly Slice[], label: string, noData: string): string {
  const beats = slices
    .map((share, index) => {
      const title = share === null ? noData : `${Math.round(share * 100)}%`;
      return `<rect x="${index * 4 + 0.5}" y="0" width="3" height="16" rx="1.5" fill="${colourOf(share)}"><title>${title}</title></rect>`;
    })
    .join('');
  return `<svg class="bar" role="img" aria-label="${label}" viewBox="0 0 ${slices.length * 4} 16" preserveAspectRatio="none">${beats}</svg>`;
}

/** The weekday x hour grid: grey without data, pale red when never available, light to dark green as it is more often. */
export function heatMap(grid: Grid, weekdays: readonly string[], label: string): string {
  const cell = 11;
  const left = 34;
  const top = 12;
  const hours = Array.from({ length: 24 }, (_, hour) => (hour % 6 === 0 ? `<text x="${left + hour * cell}" y="9">${hour}</text>` : '')).join('');
  const rows = grid
    .map((row, day) => {
      const cells = row
        .map((share, hour) => {
          // Never available is pale red, not the palest green: it must not read as "no data".
          const fill = share === null ? '#eef0f3' : share === 0 ? '#f6d3d5' : `rgba(45,164,78,${(0.2 + 0.8 * share).toFixed(2)})`;
          const title = share === null ? '' : `<title>${weekdays[day]} ${hour}:00 ${Math.round(share * 100)}%</title>`;
          return `<rect x="${left + hour * cell}" y="${top + day * cell}" width="${cell - 1}" height="${cell - 1}" fill="${fill}">${title}</rect>`;
        })
        .join('');
      return `<text x="0" y="${top + day * cell + 9}">${weekdays[day]}</text>${cells}`;
    })
    .join('');
  return `<svg class="heat" role="img" aria-label="${label}" viewBox="0 0 ${left + 24 * cell} ${top + 7 * cell}">${hours}${rows}</svg>`;
}
