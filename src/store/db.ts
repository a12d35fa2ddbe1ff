import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations, type Migration } from './migrations/index.js';
import { StoreError } from './errors.js';

export type Db = Database.Database;

/** How long a writer waits for another connection's lock before failing. */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens (creating it and its folder if needed, readable only by its owner) the history database, sets the pragmas
 * every connection needs and brings the schema up to date.
 */
export function openDatabase(path: string, allMigrations: readonly Migration[] = migrations): Db {
  const db = openFile(path);
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL is durable against a crash of this process in WAL mode; only a power cut can lose the last commit.
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
    migrate(db, path, allMigrations);
    return db;
  } catch (error) {
    db.close();
    throw asStoreError(error, path);
  }
}

/** SQLite's own failures on opening (not a database, read-only, locked) are a user's problem to fix: one line. */
function asStoreError(error: unknown, path: string): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  const hint: Record<string, string> = {
    SQLITE_NOTADB: 'it is not a compshare-watch database; point storage.path at another file',
    SQLITE_READONLY: 'it is read-only for this user',
    SQLITE_BUSY: 'another process holds it locked',
    SQLITE_CORRUPT: 'it is damaged; move it aside to start a new history',
  };
  return new StoreError(`cannot use database ${path}: ${hint[error.code] ?? error.message}`);
}

function openFile(path: string): Db {
  try {
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // Create it with 0600 before SQLite does (SQLite would use the umask, often world-readable).
      closeSync(openSync(path, 'a', 0o600));
    }
    return new Database(path);
  } catch (error) {
    throw new StoreError(`cannot open database ${path}: ${(error as Error).message}`);
  }
}

/** Applies the migrations this database has not seen yet, each in its own transaction. */
function migrate(db: Db, path: string, allMigrations: readonly Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
  const current = applied.version ?? 0;
  const newest = allMigrations.at(-1)?.version ?? 0;
  if (current > newest) {
    throw new StoreError(
      `database ${path} was written by a newer compshare-watch (schema ${current}, this version knows up to ${newest}); upgrade compshare-watch or use another storage.path`,
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of allMigrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
    })();
  }
}
