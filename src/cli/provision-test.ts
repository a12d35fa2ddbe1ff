import { existsSync } from 'node:fs';
import type { LoadedConfig } from '../config/load.js';
import type { WatchConfig } from '../config/schema.js';
import { clientFromConfig } from '../compshare/from-config.js';
import type { CompshareClient } from '../compshare/client.js';
import { checkResourceCapacity } from '../compshare/actions/check-capacity.js';
import { decide, type Decision } from '../provision/grab.js';
import { BUDGET_WINDOW_MS, cny } from '../provision/guardrails.js';
import { PriceBook } from '../provision/prices.js';
import { provisionersOf, type Candidate, type Provisioner } from '../provision/provisioners.js';
import { HistoryStore } from '../store/history-store.js';
import type { Pause, Usage } from '../store/provisions.js';
import { keyId } from '../store/watch-state.js';
import { systemClock } from '../util/clock.js';
import { printable } from '../util/printable.js';
import { EXIT_API_ERROR } from './exit.js';
import { loadConfigSayingWarnings } from './config.js';
import { provisionerNames } from './provision.js';
import { formatTable } from './table.js';
import { UsageError } from './usage-error.js';

export interface TestOptions {
  config?: string;
  provisioner: string;
  watch?: string;
  json?: boolean;
}

/** One candidate in `provision test --json`: whether its row is available now and its hourly price (CNY). */
export interface CandidateCheck {
  watch: string;
  gpu: number;
  cpu: number;
  memGb: number;
  chargeType: string;
  available: boolean;
  hourlyPrice: number | null;
  priceError: string | null;
}

/** `provision test --json`; the field names are part of the CLI's contract. */
export interface TestResult {
  provisioner: string;
  watch: string;
  dryRun: boolean;
  candidates: CandidateCheck[];
  decision:
    | { create: true; zone: string; gpuType: string; gpu: number; cpu: number; memGb: number; chargeType: string; hourlyPrice: number; orderPrice: number }
    | { create: false; guard: string; reason: string };
}

/** How much of a price error the table shows; --json has all of it. */
const PRICE_ERROR_CHARS = 120;

/** What a ledger with no history says: nothing owned, nothing spent, never failed. */
const NO_USAGE: Usage = { owned: 0, spent: 0, lastFailureAt: null };

/**
 * `provision test`: the decision the provisioner would take now, on live capacity and prices and the ledger's
 * usage, through the same `decide()` the daemon uses; it never sends Create. Exit 0 would create, 1 would not.
 */
export async function provisionTest(options: TestOptions): Promise<void> {
  const loaded = await loadConfigSayingWarnings(options.config);
  const [name] = provisionerNames(loaded.config, options.provisioner);
  const provisioner = provisionersOf(loaded.config).get(name!)!;
  const watch = triggeringWatch(provisioner, options.watch);
  const client = clientFromConfig(loaded);
  try {
    const result = await testNow(loaded, client, provisioner, watch);
    process.stdout.write(`${options.json ? JSON.stringify(result, null, 2) : renderResult(result)}\n`);
    if (!result.decision.create) process.exitCode = EXIT_API_ERROR;
  } finally {
    await client.close();
  }
}

/** `--watch`, which must name the provisioner with `provision:`; without it, the first watch that does. */
function triggeringWatch(provisioner: Provisioner, name: string | undefined): string {
  const watches = provisioner.watches;
  if (watches.length === 0) {
    throw new UsageError(`no watch names provisioner "${provisioner.name}" (add provision: ${provisioner.name} to a watch)`);
  }
  if (name === undefined) return watches[0]!;
  if (!watches.includes(name)) {
    throw new UsageError(`watch "${name}" does not name provisioner "${provisioner.name}" (watches that do: ${watches.join(', ')})`);
  }
  return name;
}

async function testNow(loaded: LoadedConfig, client: CompshareClient, provisioner: Provisioner, watch: string): Promise<TestResult> {
  const candidates = provisioner.candidatesFor(watch);
  const isAvailable = await liveAvailability(client, loaded.config.watches, candidates);
  const prices = new PriceBook(client, systemClock);
  const checks: CandidateCheck[] = [];
  for (const candidate of candidates) checks.push(await checkCandidate(candidate, isAvailable(candidate), prices));
  const now = systemClock.now();
  const { usage, pause } = readLedger(loaded, provisioner.name, now);
  // The quotes above are in the book: decide() reads the same prices the table shows.
  const decision = await decide(provisioner, watch, { usage, pause, isAvailable, prices, now });
  const { name, settings } = provisioner;
  return { provisioner: name, watch, dryRun: settings.dryRun, candidates: checks, decision: decisionJson(decision) };
}

/** A candidate's row with its availability and live price (or why there is none). */
async function checkCandidate(candidate: Candidate, available: boolean, prices: PriceBook): Promise<CandidateCheck> {
  const { gpu, cpu, memGb, chargeType } = candidate.request;
  const row = { watch: candidate.watch, gpu, cpu, memGb, chargeType, available };
  try {
    return { ...row, hourlyPrice: (await prices.quote(candidate.request)).hourly, priceError: null };
  } catch (error) {
    return { ...row, hourlyPrice: null, priceError: error instanceof Error ? error.message : String(error) };
  }
}

/** Polls each watch the candidates read, once; a row is available when the answer says ResourceEnough. */
async function liveAvailability(
  client: CompshareClient,
  watches: readonly WatchConfig[],
  candidates: readonly Candidate[],
): Promise<(candidate: Candidate) => boolean> {
  const enough = new Map<string, Set<string>>();
  for (const name of new Set(candidates.map((candidate) => candidate.watch))) {
    const { rows } = await checkResourceCapacity(client, watches.find((watch) => watch.name === name)!);
    enough.set(name, new Set(rows.filter((row) => row.resourceEnough).map(keyId)));
  }
  return (candidate) => enough.get(candidate.watch)?.has(candidate.key) === true;
}

/** Usage and pause as the daemon would read them; without a database yet, a fresh ledger (never created there). */
function readLedger(loaded: LoadedConfig, provisioner: string, now: number): { usage: Usage; pause: Pause | undefined } {
  const path = loaded.config.storage.path;
  if (!existsSync(path)) return { usage: NO_USAGE, pause: undefined };
  const store = HistoryStore.open(path);
  try {
    return { usage: store.provisions.usage(provisioner, now - BUDGET_WINDOW_MS), pause: store.provisions.pauseOf(provisioner) };
  } finally {
    store.close();
  }
}

function decisionJson(decision: Decision): TestResult['decision'] {
  if (decision.kind === 'blocked') {
    const { guard, reason } = decision.block;
    return { create: false, guard, reason };
  }
  const { zone, gpuType, gpu, cpu, memGb, chargeType } = decision.request;
  return { create: true, zone, gpuType, gpu, cpu, memGb, chargeType, hourlyPrice: decision.quote.hourly, orderPrice: decision.quote.period };
}

function renderResult(result: TestResult): string {
  const table = formatTable(
    ['CANDIDATE', 'WATCH', 'CHARGE', 'AVAILABLE', 'PRICE'],
    result.candidates.map((c) => [
      `${c.gpu}/${c.cpu}/${c.memGb}`,
      c.watch,
      c.chargeType,
      c.available ? 'yes' : 'no',
      c.hourlyPrice === null ? `unknown (${printable(c.priceError ?? 'not quoted', PRICE_ERROR_CHARS)})` : `${cny(c.hourlyPrice)}/h`,
    ]),
  );
  const { decision } = result;
  const verdict = decision.create
    ? `would create ${decision.zone} ${decision.gpuType} ${decision.gpu} GPU/${decision.cpu} CPU/${decision.memGb} GB ${decision.chargeType} at ${cny(decision.hourlyPrice)}/h`
    : `would not create: ${decision.reason}`;
  const lines = [`provisioner ${result.provisioner}, triggered by watch ${result.watch}:`, table, '', verdict];
  if (result.dryRun) lines.push(`note: ${result.provisioner} is a dry run (dryRun: true): a real run would only log this, not create`);
  return lines.join('\n');
}
