const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses `90s`, `5m`, `1h30m`, `7d`, `250ms` into milliseconds; returns null for anything else, so each caller can
 * phrase its own error naming the field or flag.
 */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(trimmed)) return null;
  let total = 0;
  for (const [, amount, , unit] of trimmed.matchAll(/(\d+(\.\d+)?)(ms|s|m|h|d|w)/g)) {
    total += Number(amount) * UNIT_MS[unit!]!;
  }
  return Math.round(total);
}

/** The units a duration is shown in, largest last. */
export type DurationUnit = 's' | 'm' | 'h' | 'd';

/**
 * A duration rounded to seconds, as its one or two largest units (`[[3, 'h'], [5, 'm']]`): what every language's
 * form of a duration is built from, so they all round and cut alike.
 */
export function durationParts(ms: number): Array<[number, DurationUnit]> {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return [[seconds, 's']];
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return [[minutes, 'm']];
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? [[hours, 'h'], [minutes % 60, 'm']] : [[hours, 'h']];
  const days = Math.floor(hours / 24);
  return hours % 24 ? [[days, 'd'], [hours % 24, 'h']] : [[days, 'd']];
}

/** A compact human form of a duration: `45s`, `12m`, `3h 5m`, `2d 4h`. */
export function formatDuration(ms: number): string {
  return durationParts(ms)
    .map(([amount, unit]) => `${amount}${unit}`)
    .join(' ');
}
