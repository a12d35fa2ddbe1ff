import type { CapacityRow } from '../capacity.js';
import type { SimAction } from '../action.js';

/** DescribeAvailableCompShareInstanceTypes: the capacity table regrouped as the catalogue of sizes per GPU type. */
export const describeInstanceTypes: SimAction = {
  name: 'DescribeAvailableCompShareInstanceTypes',
  scope: 'project',
  handle({ state, params }) {
    const zone = params.optionalString('Zone');
    const entries = state.capacity.list().filter((entry) => zone === undefined || entry.zone === zone);
    return {
      AvailableInstanceTypes: entries.map((entry) => ({
        Name: entry.gpuType,
        Zone: entry.zone,
        Status: entry.rows.some((row) => row.enough) ? 'Normal' : 'SoldOut',
        MachineSizes: machineSizes(entry.rows),
      })),
    };
  },
};

interface MachineSize {
  Gpu: number;
  Collection: Array<{ Cpu: number; Memory: number[] }>;
}

/** `[{Gpu, Collection: [{Cpu, Memory: [GB...]}]}]`, in the rows' order. */
function machineSizes(rows: readonly CapacityRow[]): MachineSize[] {
  const byGpu = new Map<number, Map<number, number[]>>();
  for (const row of rows) {
    const byCpu = byGpu.get(row.gpu) ?? new Map<number, number[]>();
    byCpu.set(row.cpu, [...(byCpu.get(row.cpu) ?? []), row.mem]);
    byGpu.set(row.gpu, byCpu);
  }
  return [...byGpu].map(([gpu, byCpu]) => ({
    Gpu: gpu,
    Collection: [...byCpu].map(([cpu, memory]) => ({ Cpu: cpu, Memory: memory })),
  }));
}
