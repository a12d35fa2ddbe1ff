import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError } from '../store/errors.js';

/** Held while a daemon runs; released on shutdown, and by the operating system if the process dies. */
export interface DaemonLock {
  release(): void;
}

/**
 * One daemon per database. The lock is an exclusive SQLite lock on `<db>.lock`, i.e. an OS file lock: it vanishes
 * with its process, so a crash, kill -9 or power cut never leaves a stale lock, and a reused pid cannot fake one.
 * `<db>.pid` beside it only names the holder in the message a second daemon prints.
 */
export function acquireLock(databasePath: string, pid: number = process.pid): DaemonLock {
  const lockPath = `${databasePath}.lock`;
  const pidPath = `${databasePath}.pid`;
  let lock: Database.Database;
  try {
    // The lock comes before the database, so it may be the first thing in a new storage folder.
    mkdirSync(dirname(databasePath), { recursive: true, mode: 0o700 });
    lock = new Database(lockPath, { timeout: 0 });
    lock.pragma('locking_mode = EXCLUSIVE');
    // Nothing in it needs to survive a crash; no journal file beside it.
    lock.pragma('journal_mode = MEMORY');
    // The first write takes the exclusive lock; EXCLUSIVE locking mode keeps it until the connection closes.
    lock.exec('CREATE TABLE IF NOT EXISTS held (at INTEGER); DELETE FROM held; INSERT INTO held VALUES (0)');
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      const holder = readPid(pidPath);
      const who = holder === null ? 'another compshare-watch' : `another compshare-watch (pid ${holder})`;
      throw new StoreError(`${who} is already running on ${databasePath}; stop it first`);
    }
    throw new StoreError(`cannot create lock file ${lockPath}: ${(error as Error).message}`);
  }
  writeFileSync(pidPath, `${pid}\n`, { mode: 0o600 });
  return {
    release() {
      if (readPid(pidPath) === pid) rmSync(pidPath, { force: true });
      lock.close();
    },
  };
}

function readPid(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
