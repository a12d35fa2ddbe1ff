/** The database cannot be used as it is (newer schema, held by another daemon, not writable): exit 2, one line. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
}

/** A write came after the store was closed: work abandoned at shutdown finishing late, not a failure to report. */
export class StoreClosedError extends Error {
  override readonly name = 'StoreClosedError';
  constructor() {
    super('the history database is closed');
  }
}

/**
 * SQLite could not write (disk full, the file locked by another program, read-only, damaged): the poll or event is
 * lost, and what raised it says so once instead of failing every job with a stack.
 */
export class StoreWriteError extends Error {
  override readonly name = 'StoreWriteError';
  constructor(
    readonly code: string,
    detail: string,
  ) {
    super(`${STORE_WRITE_HINTS[primaryCode(code)] ?? detail} (${code})`);
  }
}

/** The SQLite result codes (their primary part) that mean the storage, not the program, is at fault. */
const STORE_WRITE_HINTS: Record<string, string> = {
  SQLITE_FULL: 'the disk is full',
  SQLITE_BUSY: 'another program holds the database locked',
  SQLITE_LOCKED: 'another program holds the database locked',
  SQLITE_READONLY: 'the database became read-only',
  SQLITE_IOERR: 'the disk reported an I/O error',
  SQLITE_CORRUPT: 'the database is damaged',
  SQLITE_CANTOPEN: 'the database file cannot be opened',
  SQLITE_NOTADB: 'the database file was replaced by something that is not a database',
};

/** The storage-failure code of an error SQLite raised, or null for anything else (a bug is not the disk's fault). */
export function storageFailureCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && primaryCode(code) in STORE_WRITE_HINTS ? code : null;
}

/** SQLITE_IOERR_WRITE -> SQLITE_IOERR: extended codes refine a primary one. */
function primaryCode(code: string): string {
  return code.split('_').slice(0, 2).join('_');
}
