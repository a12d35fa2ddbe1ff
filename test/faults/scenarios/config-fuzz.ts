import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../../src/config/errors.js';
import { loadConfig } from '../../../src/config/load.js';
import { ERROR_PREFIX } from '../../../src/cli/exit.js';
import { demandWarning, pollDemand } from '../../../src/watch/demand.js';
import { CLI_PATH } from '../../helpers/cli.js';
import { outcomeOf, type Outcome } from '../outcome.js';
import { mulberry32 } from '../../../src/sim/random-walk.js';
import { writeMutation, type MutatedConfig, type SeedConfig } from './config-mutations.js';

export interface ConfigFuzzOptions {
  /** Cases run as a user would: `compshare-watch config validate --config F`, spawned from dist. */
  spawned: number;
  /** Cases loaded in this process through loadConfig, the function the CLI uses (no process start-up per case). */
  inProcess: number;
  /** The mutations' random seed: the same seed makes the same cases. */
  seed: number;
}

/** Spawned cases at a time: two cores, shared. */
const CONCURRENCY = 2;
/** A case still running after this long hangs (a YAML bomb must be refused, not expanded); 50,000 keys take ~9 s at load 20. */
const RUN_TIMEOUT_MS = 30_000;
/** More output than this (stdout and stderr together) is unbounded: a value echoed in full, a problem per key. */
const MAX_OUTPUT_CHARS = 16_384;
/** The keys and passwords the seeds take from the environment. */
const FUZZ_ENV: Record<string, string> = {
  COMPSHARE_PUBLIC_KEY: 'fuzz-public-key',
  COMPSHARE_PRIVATE_KEY: 'fuzz-private-key',
  SMTP_PASS: 'fuzz-smtp-pass',
  GRAB_PASSWORD: 'Fuzz-pass-1',
};
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const STACK_SIGNS = [/^\s+at \S/m, /node:internal/, /\bError: .*\n\s+at /, /internal error/];

/** How one case ended: an exit code (or the signal, or a hang) and what it printed. */
interface CaseRun {
  code: number | null;
  signal: string | null;
  hung: boolean;
  stdout: string;
  stderr: string;
}

/** What was wrong with one case's outcome, if anything. */
type Verdict = { kind: 'loaded' | 'refused' } | { kind: 'crash' | 'stack' | 'hang' | 'unbounded' | 'unnamed'; detail: string };

/**
 * Config fuzzing: mutated copies of config.example.yaml and the test configs (keys deleted, wrong types, odd numbers,
 * bad durations/cron/timezones, unknown and duplicate keys, broken YAML, long and unicode strings, YAML bombs, empty
 * files, directories, symlink loops) each either load (exit 0) or are refused with exit 2 and stderr lines that each
 * name the file (and a YAML path or a line), never a stack, a crash or a hang, and never unbounded output.
 */
export async function configFuzz(options: ConfigFuzzOptions): Promise<Outcome> {
  const seeds = seedConfigs();
  const random = mulberry32(options.seed);
  const total = options.spawned + options.inProcess;
  const work = mkdtempSync(join(tmpdir(), 'compshare-faults-config-'));
  const verdicts: Array<{ config: MutatedConfig; verdict: Verdict }> = [];
  try {
    // Cases are written in order from the one random stream, so a seed always makes the same cases.
    const cases = Array.from({ length: total }, (_, index) => {
      const dir = join(work, String(index));
      return writeMutation(index, seeds, mkdtempSync(`${dir}-`), random);
    });
    let next = 0;
    const lane = async () => {
      while (next < options.spawned) {
        const config = cases[next++]!;
        verdicts.push({ config, verdict: judge(await runSpawned(config.path), config.path) });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    for (const config of cases.slice(options.spawned)) verdicts.push({ config, verdict: judge(await runInProcess(config.path), config.path) });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const count = (kind: Verdict['kind']) => verdicts.filter(({ verdict }) => verdict.kind === kind).length;
  const failures = verdicts.flatMap(({ config, verdict }) =>
    'detail' in verdict ? [`${verdict.kind}: ${config.mutation} of ${config.seed}: ${verdict.detail.slice(0, 300)}`] : [],
  );
  const counts = {
    configs: verdicts.length,
    spawned: options.spawned,
    inProcess: options.inProcess,
    seed: options.seed,
    loaded: count('loaded'),
    refused: count('refused'),
    crashes: count('crash'),
    stacks: count('stack'),
    hangs: count('hang'),
    unboundedOutput: count('unbounded'),
    unnamedLines: count('unnamed'),
  };
  return outcomeOf('config-fuzz', counts, failures);
}

function seedConfigs(): SeedConfig[] {
  const fixtures = join(ROOT, 'test/fixtures/config');
  const names = ['config.example.yaml', ...readdirSync(fixtures).map((name) => `test/fixtures/config/${name}`)];
  return names.map((name) => ({ name, text: readFileSync(join(ROOT, name), 'utf8') }));
}

/** Exit 0 with an OK line, or exit 2 with only lines that name the file; nothing else. */
export function judge(run: CaseRun, file: string): Verdict {
  const output = run.stdout + run.stderr;
  if (run.hung) return { kind: 'hang', detail: `still running after ${RUN_TIMEOUT_MS} ms` };
  if (STACK_SIGNS.some((sign) => sign.test(output))) return { kind: 'stack', detail: run.stderr };
  if (run.signal !== null || (run.code !== 0 && run.code !== 2)) return { kind: 'crash', detail: `exit ${run.code ?? run.signal}: ${run.stderr}` };
  if (output.length > MAX_OUTPUT_CHARS) return { kind: 'unbounded', detail: `${output.length} characters of output` };
  if (run.code === 0) return run.stdout.startsWith(`OK: ${file}: `) ? { kind: 'loaded' } : { kind: 'unnamed', detail: `exit 0 without an OK line: ${run.stdout}` };
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  const unnamed = lines.filter((line) => !line.startsWith(`${ERROR_PREFIX}${file}`) && !line.startsWith(`${ERROR_PREFIX}warning: `));
  if (lines.length === 0 || unnamed.length > 0) return { kind: 'unnamed', detail: lines.length === 0 ? 'exit 2 and no message' : unnamed[0]! };
  return { kind: 'refused' };
}

function runSpawned(path: string): Promise<CaseRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, 'config', 'validate', '--config', path], {
      env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), NO_COLOR: '1', ...FUZZ_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let hung = false;
    // Keep one character past the bound: enough to tell "too long" without holding a runaway's output.
    const keep = (so: string, chunk: Buffer) => (so.length > MAX_OUTPUT_CHARS ? so : so + chunk.toString());
    child.stdout.on('data', (chunk: Buffer) => (stdout = keep(stdout, chunk)));
    child.stderr.on('data', (chunk: Buffer) => (stderr = keep(stderr, chunk)));
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, RUN_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal: hung ? null : signal, hung, stdout, stderr });
    });
  });
}

/**
 * What `config validate` does, in this process: load (credentials included) and check the poll rate; a ConfigError
 * prints as the CLI prints it (exit 2), anything else is what the CLI would report as an internal error (a stack).
 */
async function runInProcess(path: string): Promise<CaseRun> {
  const started = Date.now();
  const run = (code: number, stdout: string, stderr: string): CaseRun => ({ code, signal: null, hung: Date.now() - started > RUN_TIMEOUT_MS, stdout, stderr });
  try {
    const loaded = await loadConfig({ path, env: FUZZ_ENV });
    const rate = demandWarning(pollDemand(loaded.config, Date.now()), loaded.config.api.maxRequestsPerSecond);
    const warnings = [...loaded.warnings, ...(rate === undefined ? [] : [rate])].map((warning) => `${ERROR_PREFIX}warning: ${warning}\n`);
    return run(0, `OK: ${path}: ${loaded.config.watches.length} watches\n`, warnings.join(''));
  } catch (error) {
    if (error instanceof ConfigError) return run(2, '', error.message.split('\n').map((line) => `${ERROR_PREFIX}${line}\n`).join(''));
    return run(70, '', `${ERROR_PREFIX}internal error, please report it: ${error instanceof Error ? error.stack : String(error)}\n`);
  }
}
