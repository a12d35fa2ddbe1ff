import { parseScenario, type Scenario } from '../sim/scenario.js';

/** The zone every demo watch, instance and candidate lives in. */
export const DEMO_ZONE = 'cn-wlcb-01';

/** The tag of the instances the demo's stop policy selects; the one instance without it is left alone. */
export const DEMO_TAG = 'demo';

const HOUR_SECONDS = 3_600;

/** Rows for 1, 2, 4 and 8 GPUs, CPU and memory scaling per GPU; the first `enoughUpTo` rows start available. */
function ladder(cpuPerGpu: number, memPerGpu: number, enoughUpTo: number) {
  return [1, 2, 4, 8].map((gpu, index) => ({ gpu, cpu: gpu * cpuPerGpu, mem: gpu * memPerGpu, enough: index < enoughUpTo }));
}

/**
 * What the demo's simulator starts with: 4090 rows free up to 2 GPUs, 5090 sold out (so the churn has something
 * to flip either way), and three running instances, two of them tagged for the stop policy and started a while
 * ago so their stop times land at different hours.
 */
export function demoScenario(): Scenario {
  return parseScenario(
    {
      zones: [DEMO_ZONE],
      capacity: [
        { zone: DEMO_ZONE, gpuType: '4090', rows: ladder(16, 64, 2) },
        { zone: DEMO_ZONE, gpuType: '5090', rows: ladder(16, 96, 0) },
      ],
      instances: [
        { name: 'train-4090', tag: DEMO_TAG, gpuType: '4090', startAt: -HOUR_SECONDS / 2 },
        { name: 'finetune-5090', tag: DEMO_TAG, gpuType: '5090', gpu: 2, cpu: 32, mem: 192, startAt: -3 * HOUR_SECONDS },
        { name: 'notebook', gpuType: '4090', startAt: -HOUR_SECONDS },
      ],
    },
    '(demo)',
  );
}
