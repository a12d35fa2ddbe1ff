/** The database cannot be used as it is (newer schema, held by another daemon, not writable): exit 2, one line. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
}
