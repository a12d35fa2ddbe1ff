import { paramError } from './retcodes.js';

/** One disk of a `Disks.N.*` list. */
export interface DiskParam {
  isBoot: boolean;
  type: string;
  sizeGb: number;
}

const INTEGER = /^-?\d+$/;

/**
 * Typed access to a request's flat wire params; every reader throws the gateway's `Params [X] not available`
 * (RetCode 230) for a missing or malformed value, so action handlers read like the documented param tables.
 */
export class ParamReader {
  constructor(private readonly flat: Readonly<Record<string, string>>) {}

  optionalString(name: string): string | undefined {
    const value = this.flat[name];
    return value === undefined || value === '' ? undefined : value;
  }

  string(name: string): string {
    const value = this.optionalString(name);
    if (value === undefined) throw paramError(name);
    return value;
  }

  optionalOneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.optionalString(name);
    if (value !== undefined && !(allowed as readonly string[]).includes(value)) {
      throw paramError(name, `expected one of ${allowed.join(', ')}`);
    }
    return value as T | undefined;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: T): T {
    const value = this.optionalOneOf(name, allowed) ?? fallback;
    if (value === undefined) throw paramError(name);
    return value;
  }

  /** Counts, sizes and times are never negative on this API, hence the default minimum. */
  optionalInt(name: string, min = 0): number | undefined {
    const value = this.optionalString(name);
    if (value === undefined) return undefined;
    const parsed = INTEGER.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min) throw paramError(name, `expected an integer >= ${min}`);
    return parsed;
  }

  int(name: string, min?: number): number {
    const value = this.optionalInt(name, min);
    if (value === undefined) throw paramError(name);
    return value;
  }

  /** A `Name.0`, `Name.1`, ... list in index order; gaps are allowed, as SDKs drop null entries. */
  list(name: string): string[] {
    return this.indexes(name).map((index) => this.string(`${name}.${index}`));
  }

  /** `Disks.N.{IsBoot,Type,Size}`; at least one disk and exactly one boot disk, as the gateway demands. */
  disks(): DiskParam[] {
    const disks = this.indexes('Disks').map((index) => ({
      isBoot: this.bool(`Disks.${index}.IsBoot`),
      type: this.string(`Disks.${index}.Type`),
      sizeGb: this.int(`Disks.${index}.Size`, 1),
    }));
    if (disks.length === 0) throw paramError('Disks');
    if (disks.filter((disk) => disk.isBoot).length !== 1) {
      throw paramError('Disks.N.IsBoot', 'exactly one boot disk is required');
    }
    return disks;
  }

  /** Like disks(), but no `Disks.*` at all is fine (an empty list). */
  optionalDisks(): DiskParam[] {
    return this.indexes('Disks').length === 0 ? [] : this.disks();
  }

  /** SDKs send `true`/`false`; hand-written callers (and Python's `str(True)`) may capitalise. */
  private bool(name: string): boolean {
    const value = this.string(name).toLowerCase();
    if (value !== 'true' && value !== 'false') throw paramError(name, 'expected true or false');
    return value === 'true';
  }

  private indexes(name: string): number[] {
    const pattern = new RegExp(`^${name}\\.(\\d+)(?:\\.|$)`);
    const found = new Set<number>();
    for (const key of Object.keys(this.flat)) {
      const match = pattern.exec(key);
      if (match?.[1] !== undefined) found.add(Number(match[1]));
    }
    return [...found].sort((a, b) => a - b);
  }
}
