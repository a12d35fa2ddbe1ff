import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { StoreError } from '../store/errors.js';

/** Held while a daemon runs; released on shutdown, and by the operating system if the process dies. */
export interface DaemonLock {
  release(): void;
}

/**
 * How long a starter waits for the lock before it refuses. Starters that meet at the same instant each hold a
 * shared lock for a moment; the busy wait lets the first one to ask for the exclusive lock outlast the others.
 */
const LOCK_WAIT_MS = 1_000;
/** How long a refused starter waits for the winner of a simultaneous start to write its pid file. */
const PID_WAIT_MS = 1_000;
const PID_POLL_MS = 20;
/** Symlink hops followed to the file a dangling link will create (the kernel's own limit is 40). */
const MAX_LINK_HOPS = 40;

/**
 * One daemon per database. The lock is an exclusive SQLite transaction on `<db>.lock`, i.e. an OS file lock: it
 * vanishes with its process, so a crash, kill -9 or power cut never leaves a stale lock, and a reused pid cannot
 * fake one. Both files are named after the database's real path, so a path through a symlink shares the lock of
 * the file it reaches. `<db>.pid` beside it only names the holder in the message a second daemon prints.
 */
export function acquireLock(databasePath: string, pid: number = process.pid): DaemonLock {
  const realPath = lockedPathOf(databasePath);
  const lockPath = `${realPath}.lock`;
  const pidPath = `${realPath}.pid`;
  const lock = openLock(databasePath, lockPath, () => refusal(databasePath, realPath, pidPath));
  try {
    writePid(pidPath, pid);
  } catch (error) {
    lock.close();
    // A pid file left from an earlier daemon would point `kill $(cat …)` and the next refusal at the wrong process.
    throw new StoreError(`cannot write pid file ${pidPath}: ${(error as Error).message}`);
  }
  return {
    release() {
      if (readPid(pidPath) === pid) rmSync(pidPath, { force: true });
      lock.close();
    },
  };
}

/**
 * Whether a daemon holds the lock on this database now. It only reads the lock file (a shared lock for a moment),
 * which a daemon starting at the same instant waits out.
 */
export function isLockHeld(databasePath: string): boolean {
  let probe: Database.Database | undefined;
  try {
    probe = new Database(`${realPathOf(databasePath)}.lock`, { readonly: true, fileMustExist: true, timeout: 0 });
    probe.prepare('SELECT count(*) FROM sqlite_master').get();
    return false;
  } catch (error) {
    // BUSY: a daemon holds it. No lock file (no daemon ever ran) or an unreadable one: none can be seen.
    return (error as { code?: string }).code === 'SQLITE_BUSY';
  } finally {
    probe?.close();
  }
}

/** The folder is made first: the lock comes before the database, so it may be the first thing in a new storage folder. */
function lockedPathOf(databasePath: string): string {
  try {
    mkdirSync(dirname(databasePath), { recursive: true, mode: 0o700 });
    return realPathOf(databasePath);
  } catch (error) {
    throw unusableFolder(databasePath, error);
  }
}

/** Most often a storage.path under /var/lib for a user who is not root: name the setting to change. */
function unusableFolder(databasePath: string, error: unknown): StoreError {
  return new StoreError(
    `storage.path ${databasePath}: ${(error as Error).message}; point it at a folder this user can write`,
  );
}

/** The file's real path; for a file not yet created (perhaps through a dangling symlink), the one it will get. */
function realPathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  let target = path;
  for (let hop = 0; hop < MAX_LINK_HOPS; hop += 1) {
    const link = linkTarget(target);
    if (link === null) break;
    target = resolve(dirname(target), link);
  }
  return join(realpathSync(dirname(target)), basename(target));
}

function linkTarget(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    // Not a symlink, or nothing there yet.
    return null;
  }
}

/**
 * `BEGIN EXCLUSIVE` in SQLite's normal locking mode: a starter that loses drops its shared lock at once, so the
 * winner's wait ends; the transaction is never committed and holds the lock until the connection closes.
 */
function openLock(databasePath: string, lockPath: string, refused: () => StoreError): Database.Database {
  let lock: Database.Database | undefined;
  try {
    lock = new Database(lockPath, { timeout: LOCK_WAIT_MS });
    lock.exec('BEGIN EXCLUSIVE');
    return lock;
  } catch (error) {
    lock?.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') throw refused();
    throw unusableFolder(databasePath, new Error(`cannot create lock file ${lockPath}: ${(error as Error).message}`));
  }
}

function refusal(databasePath: string, realPath: string, pidPath: string): StoreError {
  const holder = waitForHolderPid(pidPath);
  const who = holder === null ? 'another compshare-watch' : `another compshare-watch (pid ${holder})`;
  const where = realPath === databasePath ? realPath : `${realPath} (storage.path ${databasePath} leads there)`;
  return new StoreError(`${who} is already running on ${where}; stop it first`);
}

/**
 * The holder's pid. A winner of a simultaneous start may not have written it yet, and a file left by a daemon that
 * died names a process that is gone; both are waited out briefly.
 */
function waitForHolderPid(pidPath: string): number | null {
  const deadline = Date.now() + PID_WAIT_MS;
  for (;;) {
    const pid = readPid(pidPath);
    if (pid !== null && isAlive(pid)) return pid;
    if (Date.now() >= deadline) return null;
    sleepSync(PID_POLL_MS);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A refused start is about to exit; blocking it for a moment is simpler than making the whole start async. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Written whole and renamed into place, so a reader never sees it half written. */
function writePid(pidPath: string, pid: number): void {
  const partial = `${pidPath}.${pid}.tmp`;
  try {
    writeFileSync(partial, `${pid}\n`, { mode: 0o600 });
    renameSync(partial, pidPath);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

function readPid(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
