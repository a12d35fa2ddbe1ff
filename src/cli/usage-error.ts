/** A mistake in how the command was called (bad flag value, unknown watch name): exit code 2, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
