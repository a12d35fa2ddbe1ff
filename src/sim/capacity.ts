/** One Specs row: a GPU/CPU/memory combination and whether it can be created right now. */
export interface CapacityRow {
  gpu: number;
  cpu: number;
  /** GB, as in the Check response's `Mem`. */
  mem: number;
  enough: boolean;
}

/** Sets `enough` on every row with this GPU count (and CPU/memory, when given). */
export interface RowPatch {
  gpu: number;
  cpu?: number | undefined;
  mem?: number | undefined;
  enough: boolean;
}

/** The rows the Check action answers for one (zone, GPU type). */
export interface CapacityEntry {
  zone: string;
  gpuType: string;
  rows: CapacityRow[];
}

/** Whether a patch addresses a row. */
export function rowMatches(row: CapacityRow, patch: RowPatch): boolean {
  return (
    row.gpu === patch.gpu &&
    (patch.cpu === undefined || row.cpu === patch.cpu) &&
    (patch.mem === undefined || row.mem === patch.mem)
  );
}

/** Capacity per (zone, GPU type), in memory. */
export class CapacityBook {
  private readonly entries = new Map<string, CapacityEntry>();

  replace(zone: string, gpuType: string, rows: readonly CapacityRow[]): void {
    this.entries.set(keyOf(zone, gpuType), { zone, gpuType, rows: rows.map((row) => ({ ...row })) });
  }

  get(zone: string, gpuType: string): CapacityEntry | undefined {
    return this.entries.get(keyOf(zone, gpuType));
  }

  /** Sets `enough` on the rows each patch matches; a patch matching nothing changes nothing. */
  patch(entry: CapacityEntry, patches: readonly RowPatch[]): void {
    for (const patch of patches) {
      for (const row of entry.rows) if (rowMatches(row, patch)) row.enough = patch.enough;
    }
  }

  /** Sorted by key code point, not locale, so the random walk draws in the same order on every machine. */
  list(): CapacityEntry[] {
    return [...this.entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
  }
}

function keyOf(zone: string, gpuType: string): string {
  return `${zone}\u0000${gpuType}`;
}
