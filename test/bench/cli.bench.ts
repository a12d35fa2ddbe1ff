import { afterAll, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_PATH, writeSimConfig } from '../helpers/cli.js';
import { startTestSim, type TestSim } from '../helpers/sim.js';
import { SIM_KEYS_ENV } from './fleet.js';
import { measured, report } from './results.js';

/**
 * `cli_startup_ms`: wall time from spawn to exit of bare node, `--help`, and `check` of one watch against a running
 * simulator. Rounds interleave the three, so a busy moment of the machine costs each of them alike; one warm-up
 * round (disk cache, compile cache) is left out.
 */
const ROUNDS = 10;

let sim: TestSim | undefined;
let dir: string | undefined;

afterAll(async () => {
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it(`cli_startup_ms: node -e 0, --help, check; ${ROUNDS} interleaved rounds`, async () => {
  sim = await startTestSim();
  dir = mkdtempSync(join(tmpdir(), 'compshare-watch-bench-'));
  const config = writeSimConfig(dir, sim.url);
  const commands = {
    bareNode: ['-e', '0'],
    help: [CLI_PATH, '--help'],
    check: [CLI_PATH, 'check', '--config', config],
  };
  const times: Record<keyof typeof commands, number[]> = { bareNode: [], help: [], check: [] };
  for (let round = 0; round <= ROUNDS; round++) {
    const bare = await timeRun(commands.bareNode);
    const help = await timeRun(commands.help);
    const check = await timeRun(commands.check);
    if (round === 0) continue;
    times.bareNode.push(bare);
    times.help.push(help);
    times.check.push(check);
  }
  const bareNode = measured(times.bareNode, 'ms', 0);
  const help = measured(times.help, 'ms', 0);
  const check = measured(times.check, 'ms', 0);
  // Ratios of the medians: a per-round ratio divides by one noisy ~50 ms run and swings far more than either median.
  const versusBare = (figure: typeof help) => ({ value: Number((figure.value / bareNode.value).toFixed(2)), unit: 'x', runs: ROUNDS, spread: null });
  report('cli_startup_ms', {
    setup: `wall time spawn to exit, ${ROUNDS} interleaved rounds after one warm-up; check polls one watch on the simulator; ratios are of the medians`,
    // The headline: `--help`, the start-up every command pays before its own work.
    value: help,
    bareNode,
    check,
    helpVsBareNode: versusBare(help),
    checkVsBareNode: versusBare(check),
  });
}, 300_000);

/** Runs node with `args` and a clean environment; its wall time in ms. A failed run fails the bench. */
function timeRun(args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', ...SIM_KEYS_ENV },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const elapsed = performance.now() - started;
      if (code === 0) resolve(elapsed);
      else reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`));
    });
  });
}
