/** One thing wrong with a config file, at a YAML path such as `['watches', 0, 'chargeType']`. */
export interface Problem {
  path: readonly PropertyKey[];
  problem: string;
}

/** `watches[0].disks[1].size`: the way users read a YAML path. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      return index === 0 ? String(segment) : `.${String(segment)}`;
    })
    .join('');
}

/** Longer values are cut to their start in messages: a 100,000-character value must not make a 100 KB error line. */
export const MAX_QUOTED_CHARS = 80;

/**
 * How a value from the file appears inside a message, at most MAX_QUOTED_CHARS of it (plus its length); config's
 * error formatting hides exactly this text for secrets.
 */
export function quote(value: string): string {
  if (value.length <= MAX_QUOTED_CHARS) return JSON.stringify(value);
  return `${JSON.stringify(`${value.slice(0, MAX_QUOTED_CHARS)}…`)} (${value.length} characters)`;
}
