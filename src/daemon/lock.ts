import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { StoreError } from '../store/errors.js';

/** Held while a daemon runs; released on shutdown. */
export interface DaemonLock {
  release(): void;
}

/**
 * One daemon per database: a `<db>.lock` file holding the owner's pid. A lock left behind by a process that no
 * longer exists (kill -9, power cut) is taken over, so a crash never blocks the next start.
 */
export function acquireLock(databasePath: string, pid: number = process.pid): DaemonLock {
  const path = `${databasePath}.lock`;
  if (!tryCreate(path, pid)) {
    const holder = readHolder(path);
    if (holder !== null && holder !== pid && isAlive(holder)) {
      throw new StoreError(`another compshare-watch (pid ${holder}) is already running on ${databasePath}; stop it first`);
    }
    // Stale: replace it atomically so two starters cannot both think they removed it.
    const temporary = `${path}.${pid}`;
    writeFileSync(temporary, `${pid}\n`, { mode: 0o600 });
    renameSync(temporary, path);
  }
  return {
    release() {
      if (readHolder(path) === pid) unlinkSync(path);
    },
  };
}

function tryCreate(path: string, pid: number): boolean {
  try {
    writeFileExclusive(path, pid);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new StoreError(`cannot create lock file ${path}: ${(error as Error).message}`);
  }
}

function writeFileExclusive(path: string, pid: number): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, `${pid}\n`);
  } finally {
    closeSync(fd);
  }
}

function readHolder(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
