import { ConfigError } from './errors.js';

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

/** How a value from the file appears inside a message; `format-error.ts` hides exactly this text for secrets. */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/**
 * The one-line error for a file (or a place in it, such as `config.yaml: credentials.file`): the first problem,
 * and how many more there are, since the user fixes them in turn.
 */
export function configError(file: string, problems: readonly [Problem, ...Problem[]]): ConfigError {
  const [first] = problems;
  const where = first.path.length === 0 ? file : `${file}: ${formatPath(first.path)}`;
  const more = problems.length - 1;
  const tail = more === 0 ? '' : ` (and ${more} more ${more === 1 ? 'problem' : 'problems'})`;
  return new ConfigError(`${where}: ${first.problem}${tail}`);
}
