import { afterAll, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestSim, type TestSim } from '../helpers/sim.js';
import { waitFor } from '../helpers/wait.js';
import { boundedNumber, CAPACITY_ACTION, sleepUntil, tickAtOrAfter } from './fleet.js';
import { answered, CREATE_ACTION, detectToCreateMs, entriesOf, ONE_GPU, setEnough, startGrabDaemon, stopDaemon, TWO_GPUS, type GrabDaemon } from './grab.js';
import { quantile, report, type Measured } from './results.js';

/**
 * `detect_to_create_ms`: the daemon as a child process (dist) grabbing 4090s from the simulator. BENCH_FLIPS (default
 * 200, the least for the figure) lowers the work for a quick look. (Crashing a grab with kill -9 is the
 * `provision-crash` fault scenario, test/faults.)
 */
const FLIPS = boundedNumber('BENCH_FLIPS', process.env.BENCH_FLIPS, 200, 2, 2000);
/** Flips per daemon: each one's instance stays owned, and a provisioner may own at most 100 (PROVISION_LIMITS). */
const FLIPS_PER_DAEMON = 70;
/** Where in a second the capacity changes: far from the poll at the whole second, so no flip straddles one. */
const PATCH_OFFSET_MS = 500;

let sim: TestSim | undefined;
const daemons: GrabDaemon[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const daemon of daemons) await stopDaemon(daemon, 'SIGKILL');
  await sim?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

it(`detect_to_create_ms: ${FLIPS} flips, confirming poll's answer -> Create at the simulator`, async () => {
  sim = await startTestSim();
  const samples: number[] = [];
  const batchP99s: number[] = [];
  let flipsDriven = 0;
  let creates = 0;
  while (flipsDriven < FLIPS) {
    const flips = Math.min(FLIPS_PER_DAEMON, FLIPS - flipsDriven);
    await setEnough(sim, [{ row: ONE_GPU, enough: false }, { row: TWO_GPUS, enough: false }]);
    await sim.control('DELETE', 'requests');
    const dir = mkdtempSync(join(tmpdir(), 'compshare-watch-bench-'));
    dirs.push(dir);
    const daemon = startGrabDaemon(sim, { candidates: [ONE_GPU, TWO_GPUS], maxInstances: 100, namePrefix: `flip${flipsDriven}-` }, dir);
    daemons.push(daemon);
    await waitFor(() => answered(sim!, CAPACITY_ACTION).length, (count) => count > 0, 'the baseline poll', { timeoutMs: 10_000 });
    // The rows take turns: each poll sees one of them newly available (and the other sold out again).
    for (let flip = 0; flip < flips; flip++) {
      await sleepUntil(tickAtOrAfter(Date.now(), 1000) + PATCH_OFFSET_MS);
      // A poll a busy machine made late must not see its row sold again before its Create lands: that would be a
      // lost race (and a cooldown that blocks the next flips), not a measurement.
      await untilCreates(sim, flip);
      await setEnough(sim, [{ row: ONE_GPU, enough: flip % 2 === 0 }, { row: TWO_GPUS, enough: flip % 2 === 1 }]);
    }
    await sleepUntil(tickAtOrAfter(Date.now(), 1000) + PATCH_OFFSET_MS);
    await untilCreates(sim, flips);
    await stopDaemon(daemon, 'SIGTERM');
    const batch = detectToCreateMs(sim.simulator.state.requests.list());
    samples.push(...batch);
    batchP99s.push(quantile(batch, 0.99));
    creates += answered(sim, CREATE_ACTION).length;
    flipsDriven += flips;
  }
  const ms = (value: number) => Number(value.toFixed(2));
  const latency = (q: number): Measured => ({
    value: ms(quantile(samples, q)),
    unit: 'ms',
    runs: samples.length,
    spread: q === 0.99 ? { min: ms(Math.min(...batchP99s)), max: ms(Math.max(...batchP99s)) } : { min: ms(quantile(samples, 0)), max: ms(quantile(samples, 1)) },
  });
  report('detect_to_create_ms', {
    setup: `spawned daemon, one watch on */1 * * * * *, two 4090 rows taking turns (PATCH capacity ${PATCH_OFFSET_MS} ms after a poll, once the previous flip's Create arrived), api.maxRequestsPerSecond default, ${FLIPS_PER_DAEMON} flips per daemon (fresh DB each); sim request log wall clock: confirming poll answeredMs -> Create receivedMs`,
    flips: flipsDriven,
    creates,
    value: latency(0.5),
    // p99 over all flips; its spread is the lowest and highest p99 of the daemons (batches).
    p99: latency(0.99),
  });
}, 30 * 60_000);

/** Waits (bounded: a flip may go uncreated) until `count` Creates have reached the simulator since the log was cleared. */
async function untilCreates(testSim: TestSim, count: number): Promise<void> {
  await waitFor(() => entriesOf(testSim, CREATE_ACTION).length, (seen) => seen >= count, `${count} creates`, { timeoutMs: 3_000, intervalMs: 5 }).catch(() => undefined);
}
