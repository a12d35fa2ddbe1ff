/** A date and time of day as a clock on the wall in some timezone shows it; `month` is 1-12. */
export interface CivilTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** Whether the runtime knows this IANA zone name (Asia/Shanghai, UTC, ...). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

// Building a formatter costs far more than using one, and a plan converts dozens of times per instance.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** What the wall clock in `timeZone` showed at an instant given in unix seconds. */
export function civilTimeAt(epochSeconds: number, timeZone: string): CivilTime & { second: number } {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(new Date(epochSeconds * 1000))
      .map((part) => [part.type, Number(part.value)]),
  );
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/**
 * The instant (unix seconds) at which the wall clock in `timeZone` shows `civil`. Days past the end of a month
 * roll over (day 32 of January is February 1st), so callers can step through dates by adding to `day`.
 */
export function epochOfCivilTime(civil: CivilTime, timeZone: string): number {
  const wall = Date.UTC(civil.year, civil.month - 1, civil.day, civil.hour, civil.minute) / 1000;
  // The zone's offset is looked up twice: once at a guess, once at the corrected instant, so a DST change
  // between the two still lands on the right side.
  const guess = wall - offsetSeconds(wall, timeZone);
  return wall - offsetSeconds(guess, timeZone);
}

/** The day of the week of a calendar date, 0 = Monday ... 6 = Sunday. */
export function weekdayOf(civil: Pick<CivilTime, 'year' | 'month' | 'day'>): number {
  return (new Date(Date.UTC(civil.year, civil.month - 1, civil.day)).getUTCDay() + 6) % 7;
}

function offsetSeconds(epochSeconds: number, timeZone: string): number {
  const shown = civilTimeAt(epochSeconds, timeZone);
  const asUtc = Date.UTC(shown.year, shown.month - 1, shown.day, shown.hour, shown.minute, shown.second) / 1000;
  return asUtc - Math.floor(epochSeconds);
}
