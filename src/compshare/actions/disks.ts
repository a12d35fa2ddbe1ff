/** A disk as the capacity check, price and create actions take it. */
export interface DiskSpec {
  isBoot: boolean;
  type: string;
  /** GB */
  size: number;
}

export function diskParams(disks: readonly DiskSpec[]): Array<{ IsBoot: boolean; Type: string; Size: number }> {
  return disks.map((disk) => ({ IsBoot: disk.isBoot, Type: disk.type, Size: disk.size }));
}
