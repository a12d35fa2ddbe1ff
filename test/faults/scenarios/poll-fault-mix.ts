import type { FaultSpec } from '../../../src/sim/faults.js';
import { benchImageId, CAPACITY_ACTION } from '../../bench/fleet.js';
import { waitFor } from '../../helpers/wait.js';
import { outcomeOf, type Outcome } from '../outcome.js';
import { crashFailures, startDaemonUnderFaults } from './daemon-under-faults.js';

export interface PollFaultMixOptions {
  /** Polls the daemon must record (summed over its watches) before the scenario ends. */
  polls: number;
  /** Watches on a 1-second schedule, each its own request shape: the polls per second. */
  watches: number;
  /** A RetCode 153 storm starts this often... */
  stormEveryMs: number;
  /** ...and refuses every request for this long. */
  stormMs: number;
  /** "Polling never stops": every watch's requests reach the API at least once in every window this long. */
  windowMs: number;
}

const SCENARIO = 'poll-fault-mix';
const SCHEDULE = '*/1 * * * * *';
/** A hang costs a watch this long per attempt; short, so hangs are many polls' worth of faults, not a wait. */
const TIMEOUT_MS = 1_000;
/** High enough for every watch once a second plus retries; 153 storms lower it for a while (AdaptiveRate). */
const MAX_REQUESTS_PER_SECOND = 1_000;
/** A watch whose last request is older than this at the end has stopped polling. */
const LAST_POLL_BOUND_MS = 10_000;

/**
 * The standing mix, first match wins, each at its own rate of the requests it sees: transient failures the client
 * retries (503/500/502, RetCode 150, hangs) and permanent ones it records at once (404, a RetCode it does not know,
 * a body that is not JSON), over a spread of latency. RetCode 153 storms come on top: every `stormEveryMs` the
 * gateway refuses everything for `stormMs`, as one that counts requests per second does when it is overrun.
 */
const FAULT_MIX: ReadonlyArray<Partial<FaultSpec> & Pick<FaultSpec, 'kind'>> = [
  { kind: 'hang', rate: 0.005 },
  { kind: 'http', status: 503, rate: 0.02 },
  { kind: 'http', status: 500, rate: 0.01 },
  { kind: 'http', status: 502, rate: 0.01 },
  { kind: 'http', status: 404, rate: 0.005 },
  { kind: 'malformed', rate: 0.02 },
  { kind: 'retcode', retCode: 150, message: 'service unavailable', rate: 0.02 },
  { kind: 'retcode', retCode: 299, message: 'simulated permanent failure', rate: 0.005 },
  { kind: 'latency', ms: 20, maxMs: 300, rate: 0.2 },
];

/**
 * `polls` polls through the whole daemon path (client, detector, store, events) while the simulator answers with a
 * mix of faults, capacity fixed all along. Counts false transitions (any after the baseline, or any capacity
 * event: capacity never changed), crashes (exit, fatal or uncaught log lines), windows in which a watch sent no
 * request, and the failed polls the daemon recorded, by kind, next to the faults the simulator injected.
 */
export async function pollFaultMix(options: PollFaultMixOptions): Promise<Outcome> {
  const startedMs = Date.now();
  const run = await startDaemonUnderFaults({
    watches: options.watches,
    schedule: SCHEDULE,
    maxRequestsPerSecond: MAX_REQUESTS_PER_SECOND,
    timeoutMs: TIMEOUT_MS,
  });
  const { sim } = run;
  const injected = new Map<string, number>();
  const arrivals = watchArrivals(options.watches);
  const log = sim.simulator.state.requests;
  const record = log.record.bind(log);
  log.record = (entry) => {
    if (entry.action === CAPACITY_ACTION) {
      arrivals.add(entry.params.CompShareImageId ?? '', Date.now());
      const kind = entry.fault ?? 'none';
      injected.set(kind, (injected.get(kind) ?? 0) + 1);
    }
    return record(entry);
  };
  for (const fault of FAULT_MIX) await sim.addFault({ ...fault, action: CAPACITY_ACTION });
  let storms = 0;
  const storm = setInterval(() => {
    storms += 1;
    void sim.addFault({ kind: 'retcode', retCode: 153, message: 'rate limited', forMs: options.stormMs, action: CAPACITY_ACTION });
  }, options.stormEveryMs);

  const totalPolls = () => run.query<{ polls: number }>('SELECT COALESCE(SUM(polls), 0) AS polls FROM hourly_watch')[0]!.polls;
  let polls = 0;
  let waitProblem: string | undefined;
  try {
    // A safety net four times the polls' own time, not a speed bound.
    const boundMs = Math.max(60_000, (options.polls / options.watches) * 4_000);
    polls = await waitFor(totalPolls, (count) => count >= options.polls, `${options.polls} polls`, { timeoutMs: boundMs, intervalMs: 500 });
  } catch (error) {
    waitProblem = (error as Error).message;
    polls = totalPolls();
  } finally {
    clearInterval(storm);
  }
  const endMs = Date.now();
  const falseTransitions = run.query<{ n: number }>('SELECT COUNT(*) AS n FROM transitions WHERE from_state IS NOT NULL')[0]!.n;
  const baselineKeys = run.query<{ n: number }>('SELECT COUNT(*) AS n FROM transitions WHERE from_state IS NULL')[0]!.n;
  // A baseline that finds a key available says so once (capacity.available); any other capacity event is false.
  const baselineAvailable = run.query<{ n: number }>(
    "SELECT COUNT(*) AS n FROM transitions WHERE from_state IS NULL AND to_state = 'available'",
  )[0]!.n;
  const capacityEvents =
    run.query<{ n: number }>("SELECT COUNT(*) AS n FROM events WHERE type LIKE 'capacity.%'")[0]!.n - baselineAvailable;
  const errors = run.query<{ kind: string; n: number }>(
    'SELECT error_kind AS kind, COUNT(*) AS n FROM polls WHERE error_kind IS NOT NULL GROUP BY error_kind ORDER BY error_kind',
  );
  const stderr = run.daemon.stderr();
  const crashes = await run.stop();
  const stalls = arrivals.stalls(endMs, options.windowMs, LAST_POLL_BOUND_MS);

  const failures: string[] = [];
  if (waitProblem) failures.push(waitProblem);
  if (falseTransitions + capacityEvents > 0) failures.push(`${falseTransitions} transitions and ${capacityEvents} capacity events after the baseline, capacity never changed`);
  if (baselineKeys === 0) failures.push('no baseline was recorded: nothing was polled successfully');
  failures.push(...crashFailures(crashes, stderr));
  if (stalls.length > 0) failures.push(`polling stopped: ${stalls.slice(0, 3).join('; ')}${stalls.length > 3 ? ` (+${stalls.length - 3})` : ''}`);
  const recorded = Object.fromEntries(errors.map(({ kind, n }) => [`${kind}Errors`, n]));
  return outcomeOf(
    SCENARIO,
    {
      polls,
      falseTransitions: falseTransitions + capacityEvents,
      crashes: crashes.exits + crashes.fatalLines,
      stalls: stalls.length,
      watches: options.watches,
      requests: [...injected.values()].reduce((sum, n) => sum + n, 0),
      injected: [...injected].filter(([kind]) => kind !== 'none').map(([kind, n]) => `${kind}:${n}`).join(','),
      storms,
      ...recorded,
      seconds: Math.round((Date.now() - startedMs) / 1000),
    },
    failures,
  );
}

/** When each watch's requests reached the simulator, told apart by their image id. */
function watchArrivals(watches: number) {
  const byImage = new Map(Array.from({ length: watches }, (_, index) => [benchImageId(index), [] as number[]]));
  return {
    add(imageId: string, atMs: number): void {
      byImage.get(imageId)?.push(atMs);
    },
    /**
     * Watches that went a whole window without a request between their first one and `endMs`, or whose last
     * request is older than `lastBoundMs` at the end, each in words.
     */
    stalls(endMs: number, windowMs: number, lastBoundMs: number): string[] {
      const found: string[] = [];
      for (const [image, times] of byImage) {
        if (times.length === 0) {
          found.push(`${image} never polled`);
          continue;
        }
        const gaps = times.slice(1).map((at, index) => at - times[index]!);
        const longest = Math.max(0, ...gaps);
        if (longest > windowMs) found.push(`${image} went ${longest} ms without a request`);
        else if (endMs - times.at(-1)! > lastBoundMs) found.push(`${image} last polled ${endMs - times.at(-1)!} ms before the end`);
      }
      return found;
    },
  };
}
