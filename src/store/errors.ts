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
