import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, writeSimConfig } from '../helpers/cli.js';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { startTestSim, SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, type TestSim } from '../helpers/sim.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const LOCK_MODULE = fileURLToPath(new URL('../../dist/daemon/lock.js', import.meta.url));
const madeTempDir = useTempDir();
/** Real paths, so that a symlinked temp folder (macOS /tmp) does not change the paths the messages name. */
const tempDir = () => realpathSync(madeTempDir());
const keys = { COMPSHARE_PUBLIC_KEY: SIM_PUBLIC_KEY, COMPSHARE_PRIVATE_KEY: SIM_PRIVATE_KEY };
const children: Array<{ child: ChildProcessWithoutNullStreams; closed: Promise<unknown> }> = [];
let sim: TestSim;

beforeEach(async () => {
  sim = await startTestSim();
});
afterEach(async () => {
  for (const { child, closed } of children.splice(0)) {
    child.kill('SIGKILL');
    await closed;
  }
  await sim.close();
});

/** A config in `dir` whose storage.path is `storagePath`. */
function configFor(dir: string, storagePath: string): string {
  const path = writeSimConfig(dir, sim.url);
  writeFileSync(path, readFileSync(path, 'utf8').replace(`path: ${join(dir, 'history.db')}`, `path: ${storagePath}`));
  return path;
}

function track(child: ChildProcessWithoutNullStreams): void {
  children.push({ child, closed: new Promise((resolve) => child.once('close', resolve)) });
}

function startTracked(config: string): DaemonProcess {
  const daemon = startDaemon(config, keys);
  track(daemon.child);
  return daemon;
}

const pidIn = (pidFile: string) => () => readFileSync(pidFile, 'utf8').trim();

describe('one daemon per database, through symlinks too', () => {
  it('refuses a run on the real path while one runs through a symlink to a database not yet created', async () => {
    const real = tempDir();
    const linked = tempDir();
    const realDb = join(real, 'history.db');
    symlinkSync(realDb, join(linked, 'history.db'));
    const first = startTracked(configFor(linked, join(linked, 'history.db')));
    await waitFor(pidIn(`${realDb}.pid`), (pid) => pid === String(first.child.pid), 'the first daemon to lock the real path');

    const second = await runCli(['run', '--config', configFor(real, realDb)], { env: keys });
    expect(second.code).toBe(2);
    expect(second.stderr.trim()).toBe(
      `compshare-watch: another compshare-watch (pid ${first.child.pid}) is already running on ${realDb}; stop it first`,
    );
  });

  it('refuses a run through a symlinked folder while one runs on the real path, naming where it leads', async () => {
    const real = tempDir();
    const realDb = join(real, 'history.db');
    const linkedFolder = join(tempDir(), 'data');
    symlinkSync(real, linkedFolder);
    const first = startTracked(configFor(real, realDb));
    await waitFor(pidIn(`${realDb}.pid`), (pid) => pid === String(first.child.pid), 'the first daemon to lock');

    const other = tempDir();
    const second = await runCli(['run', '--config', configFor(other, join(linkedFolder, 'history.db'))], { env: keys });
    expect(second.code).toBe(2);
    expect(second.stderr.trim()).toBe(
      `compshare-watch: another compshare-watch (pid ${first.child.pid}) is already running on ${realDb} ` +
        `(storage.path ${join(linkedFolder, 'history.db')} leads there); stop it first`,
    );
  });
});

/**
 * Takes the lock when told to on stdin (so that every starter asks at the same instant), prints what happened as
 * one JSON line, and holds a won lock until stdin ends.
 */
const STARTER = `
const { acquireLock } = await import(process.argv[1]);
process.stdout.write('ready\\n');
process.stdin.once('data', () => {
  try {
    const lock = acquireLock(process.argv[2]);
    process.stdout.write(JSON.stringify({ won: true }) + '\\n');
    process.stdin.once('end', () => lock.release());
  } catch (error) {
    process.stdout.write(JSON.stringify({ won: false, message: error.message }) + '\\n');
    process.exit(0);
  }
});
`;

interface Starter {
  child: ChildProcessWithoutNullStreams;
  lines: () => string[];
}

function spawnStarter(databasePath: string): Starter {
  const child = spawn(process.execPath, ['--input-type=module', '-e', STARTER, LOCK_MODULE, databasePath]);
  track(child);
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.resume();
  return { child, lines: () => stdout.split('\n').filter(Boolean) };
}

describe('simultaneous starters', () => {
  it('lets exactly one of five win and the others name its pid', async () => {
    const databasePath = join(tempDir(), 'fresh', 'history.db');
    const starters = Array.from({ length: 5 }, () => spawnStarter(databasePath));
    await waitFor(() => starters.every((s) => s.lines()[0] === 'ready'), Boolean, 'every starter to be ready');
    for (const starter of starters) starter.child.stdin.write('go\n');
    const outcomes = await waitFor(
      () => starters.map((s) => s.lines()[1]),
      (lines) => lines.every((line) => line !== undefined),
      'every starter to report',
    );
    const results = outcomes.map((line, index) => ({ ...(JSON.parse(line!) as { won: boolean; message?: string }), pid: starters[index]!.child.pid }));
    const winners = results.filter((result) => result.won);
    expect(winners).toHaveLength(1);
    for (const loser of results.filter((result) => !result.won)) {
      expect(loser.message).toBe(
        `another compshare-watch (pid ${winners[0]!.pid}) is already running on ${databasePath}; stop it first`,
      );
    }
  });
});

describe('an unusable storage folder', () => {
  it('names storage.path and what to do about it, in one line', async () => {
    const dir = tempDir();
    // A file where the folder should be (a folder without write access cannot be made when tests run as root).
    writeFileSync(join(dir, 'not-a-folder'), '');
    const db = join(dir, 'not-a-folder', 'history.db');
    const result = await runCli(['run', '--config', configFor(dir, db)], { env: keys });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(
      new RegExp(`^compshare-watch: storage\\.path ${db}: [A-Z]+: [^\\n]*; point it at a folder this user can write$`),
    );
  });
});

describe('the pid file', () => {
  it('refuses to start with one line when the pid file cannot be written', async () => {
    const dir = tempDir();
    const db = join(dir, 'history.db');
    mkdirSync(`${db}.pid`);
    const result = await runCli(['run', '--config', configFor(dir, db)], { env: keys });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(new RegExp(`^compshare-watch: cannot write pid file ${db}\\.pid: [A-Z]+: [^\\n]*$`));
  });
});
