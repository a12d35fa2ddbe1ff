import type { FaultSpec } from '../../../src/sim/faults.js';
import { MAX_CAPACITY_ROWS } from '../../../src/compshare/actions/check-capacity.js';
import { benchImageId, CAPACITY_ACTION, sampleEvery } from '../../bench/fleet.js';
import { CHECK_4090_PARAMS } from '../../helpers/sim.js';
import { waitFor } from '../../helpers/wait.js';
import { outcomeOf, type Outcome } from '../outcome.js';
import { crashFailures, startDaemonUnderFaults, type DaemonUnderFaults } from './daemon-under-faults.js';

/** What a fuzzed poll must come to: a failed poll of this kind whose message matches, or (`ok`) a normal poll. */
type Expected = { kind: 'malformed' | 'timeout' | 'http'; message: RegExp } | { kind: 'ok' };

/** One odd answer: the fault that gives it (built from a real answer), what it must come to, and its attempts. */
interface FuzzCase {
  name: string;
  fault: (real: Record<string, any>, options: ApiResponseFuzzOptions) => Partial<FaultSpec> & Pick<FaultSpec, 'kind'>;
  expected: Expected;
  /** Requests one poll makes of it: the client retries a timeout or a 502 up to its 4 attempts, nothing else. */
  attempts?: number;
}

export interface ApiResponseFuzzOptions {
  /** Consecutive polls each odd answer is given to. */
  repeats: number;
  /** Size of the huge answers (declared and chunked); the endless one has none. */
  hugeBytes: number;
  /** api.timeoutMs, which bounds a slow drip. */
  timeoutMs: number;
  /** Only these cases (by name); all of them when absent. */
  cases?: readonly string[];
}

const SCENARIO = 'api-response-fuzz';
/** The client's attempts per call (DEFAULT_RETRY_POLICY): what a retried odd answer is given as many times. */
const RETRIED_ATTEMPTS = 4;
/** The most the daemon's resident memory may grow over its warmed-up size while it refuses huge answers. */
export const RSS_GROWTH_BOUND_MB = 50;
const RSS_SAMPLE_MS = 100;

const body = (text: string, contentType?: string) => ({ kind: 'body' as const, body: text, ...(contentType ? { contentType } : {}) });
const json = (value: unknown) => body(JSON.stringify(value));
const malformed = (message: RegExp): Expected => ({ kind: 'malformed', message });
const withRows = (real: Record<string, any>, rows: (row: Record<string, any>) => Record<string, any>) =>
  json({ ...real, Specs: (real.Specs as Array<Record<string, any>>).map(rows) });

/** Every odd answer the scenario gives, in the order it gives them. */
export const FUZZ_CASES: readonly FuzzCase[] = [
  { name: 'ResourceEnough "yes"', fault: (real) => withRows(real, (row) => ({ ...row, ResourceEnough: 'yes' })), expected: malformed(/ResourceEnough/) },
  { name: 'Gpu as a word', fault: (real) => withRows(real, (row) => ({ ...row, Gpu: 'one' })), expected: malformed(/Specs\[0\]\.Gpu/) },
  {
    name: 'numbers as numeric strings',
    fault: (real) => withRows(real, (row) => ({ ...row, Gpu: String(row.Gpu), Cpu: String(row.Cpu), Mem: String(row.Mem), ResourceEnough: String(row.ResourceEnough) })),
    // The gateway's own habit (wire.ts): the same capacity, so a normal poll that changes nothing.
    expected: { kind: 'ok' },
  },
  { name: 'Specs missing', fault: (real) => json({ ...real, Specs: undefined }), expected: malformed(/Specs/) },
  { name: 'Specs null', fault: (real) => json({ ...real, Specs: null }), expected: malformed(/Specs/) },
  { name: 'ResourceEnough missing', fault: (real) => withRows(real, ({ ResourceEnough: _gone, ...row }) => row), expected: malformed(/ResourceEnough/) },
  { name: 'RetCode missing', fault: (real) => json({ ...real, RetCode: undefined }), expected: malformed(/RetCode missing/) },
  { name: 'RetCode a word', fault: (real) => json({ ...real, RetCode: 'ok' }), expected: malformed(/RetCode missing or not an integer/) },
  { name: 'a JSON array', fault: (real) => json([real]), expected: malformed(/not a JSON object/) },
  { name: 'JSON null', fault: () => body('null'), expected: malformed(/not a JSON object/) },
  {
    name: `more than ${MAX_CAPACITY_ROWS} rows`,
    fault: (real) => json({ ...real, Specs: Array.from({ length: MAX_CAPACITY_ROWS + 1 }, (_, i) => ({ Gpu: 1, Cpu: 16 + i, Mem: 64, ResourceEnough: true })) }),
    expected: malformed(/more than 1000 rows/),
  },
  { name: 'deeply nested', fault: (real) => body(`{"RetCode": 0, "Action": "${real.Action}", "Specs": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`), expected: malformed(/Specs/) },
  { name: 'plain text', fault: () => body('Service Temporarily Unavailable', 'text/plain'), expected: malformed(/not JSON/) },
  { name: 'truncated JSON', fault: (real) => body(JSON.stringify(real).slice(0, Math.floor(JSON.stringify(real).length / 2))), expected: malformed(/not JSON/) },
  { name: 'empty body', fault: () => body(''), expected: malformed(/not JSON/) },
  { name: 'HTML error page, 200', fault: () => body(HTML_ERROR_PAGE, 'text/html'), expected: malformed(/not JSON/) },
  {
    name: 'HTML error page, 502',
    fault: () => ({ ...body(HTML_ERROR_PAGE, 'text/html'), status: 502 }),
    expected: { kind: 'http', message: /HTTP 502/ },
    attempts: RETRIED_ATTEMPTS,
  },
  // The body decides, not the label: a valid envelope under the wrong Content-Type is still the same capacity.
  { name: 'wrong Content-Type', fault: (real) => body(JSON.stringify(real), 'text/html; charset=gbk'), expected: { kind: 'ok' } },
  { name: 'huge, length declared', fault: (_real, o) => ({ kind: 'huge-body', bytes: o.hugeBytes, declareLength: true }), expected: malformed(/larger than 8 MiB/) },
  { name: 'huge, chunked', fault: (_real, o) => ({ kind: 'huge-body', bytes: o.hugeBytes }), expected: malformed(/larger than 8 MiB/) },
  { name: 'endless stream', fault: () => ({ kind: 'huge-body' }), expected: malformed(/larger than 8 MiB/) },
  {
    name: 'slow drip, a byte every 100 ms',
    fault: () => ({ kind: 'drip', ms: 100 }),
    expected: { kind: 'timeout', message: /no answer within/ },
    attempts: RETRIED_ATTEMPTS,
  },
];

const HTML_ERROR_PAGE = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';

/** A spec key's stored state, everything a fuzzed poll must leave as it was. */
interface KeyRow {
  gpu: number;
  cpu: number;
  mem: number;
  state: string;
  since: number;
  streak_reading: number | null;
  streak: number;
}

/**
 * One watch polled through the daemon while the simulator gives each odd answer (wrong types, missing fields,
 * huge or endless bodies, a slow drip, non-JSON, HTML, a wrong Content-Type) to `repeats` polls in a row. Each must
 * come to its typed error in the poll log (or, where the answer is a valid one in odd clothes, a normal poll), the
 * daemon must not crash, the keys' stored state and transitions must not change, and the daemon's resident memory
 * must stay within RSS_GROWTH_BOUND_MB of its warmed-up size.
 */
export async function apiResponseFuzz(options: ApiResponseFuzzOptions): Promise<Outcome> {
  const startedMs = Date.now();
  const cases = FUZZ_CASES.filter((fuzz) => options.cases === undefined || options.cases.includes(fuzz.name));
  const run = await startDaemonUnderFaults({ watches: 1, schedule: '*/1 * * * * *', maxRequestsPerSecond: 50, timeoutMs: options.timeoutMs });
  const rss = sampleEvery(run.daemon.child.pid!, RSS_SAMPLE_MS);
  const failures: string[] = [];
  let given = 0;
  let typedErrors = 0;
  let baselineRssMb = 0;
  let stateChanges = 0;
  try {
    const real = (await run.sim.call(CAPACITY_ACTION, { ...CHECK_4090_PARAMS, CompShareImageId: benchImageId(0) })).body!;
    // Warmed up: the baseline and a few normal polls, so the memory figure compares like with like.
    await waitFor(() => totalPolls(run), (polls) => polls >= 3, 'the first polls', { timeoutMs: 30_000 });
    baselineRssMb = Math.max(...rss.samples.map((sample) => sample.rssMb));
    const keysBefore = keyRows(run);
    const transitionsBefore = transitionCount(run);
    for (const fuzz of cases) {
      const found = await givePolls(run, fuzz, real, options);
      given += options.repeats;
      typedErrors += found.filter((error) => fuzz.expected.kind !== 'ok' && error.kind === fuzz.expected.kind).length;
      const problem = mismatch(fuzz, found, options.repeats);
      if (problem) failures.push(`${fuzz.name}: ${problem}`);
    }
    const keysAfter = keyRows(run);
    stateChanges = Math.abs(transitionCount(run) - transitionsBefore) + changedKeys(keysBefore, keysAfter);
    if (stateChanges > 0) failures.push(`the stored state changed: ${JSON.stringify(keysBefore)} -> ${JSON.stringify(keysAfter)}`);
  } catch (error) {
    failures.push((error as Error).message);
  } finally {
    rss.stop();
  }
  const stderr = run.daemon.stderr();
  const crashes = await run.stop();
  failures.push(...crashFailures(crashes, stderr));
  const peakRssMb = Math.max(0, ...rss.samples.map((sample) => sample.rssMb));
  if (peakRssMb - baselineRssMb > RSS_GROWTH_BOUND_MB) {
    failures.push(`resident memory grew ${Math.round(peakRssMb - baselineRssMb)} MB (bound ${RSS_GROWTH_BOUND_MB} MB)`);
  }
  return outcomeOf(
    SCENARIO,
    {
      cases: cases.length,
      fuzzedPolls: given,
      typedErrors,
      crashes: crashes.exits + crashes.fatalLines,
      stateChanges,
      rssBaselineMb: Math.round(baselineRssMb),
      rssPeakMb: Math.round(peakRssMb),
      rssBoundMb: RSS_GROWTH_BOUND_MB,
      seconds: Math.round((Date.now() - startedMs) / 1000),
    },
    failures,
  );
}

/** A failed poll as the daemon recorded it. */
interface RecordedError {
  kind: string;
  message: string;
}

/**
 * Gives `fuzz` to the next `repeats` polls and returns the failed polls recorded from then until the first normal
 * poll after them. Polls of one watch never overlap, so the poll after the last fuzzed one is a normal one.
 */
async function givePolls(run: DaemonUnderFaults, fuzz: FuzzCase, real: Record<string, any>, options: ApiResponseFuzzOptions): Promise<RecordedError[]> {
  const lastId = run.query<{ id: number | null }>('SELECT MAX(id) AS id FROM polls')[0]!.id ?? 0;
  const pollsBefore = totalPolls(run);
  const requests = options.repeats * (fuzz.attempts ?? 1);
  await run.sim.addFault({ ...fuzz.fault(real, options), count: requests, action: CAPACITY_ACTION });
  const left = async () => ((await run.sim.control('GET', 'state')).body.faults as unknown[]).length;
  // Safety nets, not speed bounds: a retried poll takes its attempts' timeouts and backoff.
  const boundMs = 20_000 + options.repeats * (fuzz.attempts ?? 1) * (options.timeoutMs + 2_000);
  await waitFor(left, (count) => count === 0, `${fuzz.name} to be answered ${requests} times`, { timeoutMs: boundMs, intervalMs: 100 });
  await waitFor(() => totalPolls(run), (polls) => polls > pollsBefore + options.repeats, `the polls after ${fuzz.name}`, {
    timeoutMs: boundMs,
    intervalMs: 100,
  });
  return run.query<RecordedError>(
    `SELECT error_kind AS kind, error_message AS message FROM polls WHERE id > ${lastId} AND error_kind IS NOT NULL ORDER BY id`,
  );
}

/** Why the failed polls recorded for `fuzz` are not what it must come to, or undefined when they are. */
function mismatch(fuzz: FuzzCase, found: readonly RecordedError[], repeats: number): string | undefined {
  const { expected } = fuzz;
  if (expected.kind === 'ok') return found.length === 0 ? undefined : `expected normal polls, got ${JSON.stringify(found)}`;
  const typed = found.filter((error) => error.kind === expected.kind && expected.message.test(error.message));
  if (typed.length === repeats && found.length === repeats) return undefined;
  return `expected ${repeats} ${expected.kind} errors matching ${expected.message}, got ${JSON.stringify(found).slice(0, 400)}`;
}

function totalPolls(run: DaemonUnderFaults): number {
  return run.query<{ polls: number }>('SELECT COALESCE(SUM(polls), 0) AS polls FROM hourly_watch')[0]!.polls;
}

function keyRows(run: DaemonUnderFaults): KeyRow[] {
  return run.query<KeyRow>('SELECT gpu, cpu, mem, state, since, streak_reading, streak FROM spec_keys ORDER BY gpu, cpu, mem');
}

function transitionCount(run: DaemonUnderFaults): number {
  return run.query<{ n: number }>('SELECT COUNT(*) AS n FROM transitions')[0]!.n;
}

/** Keys that differ between two snapshots, or are in only one of them. */
function changedKeys(before: readonly KeyRow[], after: readonly KeyRow[]): number {
  const seen = new Set(before.map((row) => JSON.stringify(row)));
  const differing = after.filter((row) => !seen.has(JSON.stringify(row))).length;
  return differing + Math.max(0, before.length - after.length);
}
