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

/** How a value from the file appears inside a message; config's error formatting hides exactly this text for secrets. */
export function quote(value: string): string {
  return JSON.stringify(value);
}
