import { CompshareError } from '../compshare/errors.js';
import { ConfigError } from '../config/errors.js';
import { UsageError } from './usage-error.js';
import { StoreError } from '../store/errors.js';

/** Exit codes every command shares: 1 for API failures, 2 for usage and config mistakes. */
export const EXIT_API_ERROR = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;

/**
 * Prints one line for a user-facing failure and sets the exit code; only an unexpected error (a bug) shows its
 * stack, because then it is needed for the report.
 */
export function reportAndExit(error: unknown): void {
  if (error instanceof ConfigError || error instanceof UsageError || error instanceof StoreError) {
    process.stderr.write(`compshare-watch: ${error.message}\n`);
    process.exitCode = EXIT_USAGE;
  } else if (error instanceof CompshareError) {
    process.stderr.write(`compshare-watch: ${error.message}\n`);
    process.exitCode = EXIT_API_ERROR;
  } else {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`compshare-watch: internal error, please report it: ${detail}\n`);
    process.exitCode = EXIT_INTERNAL;
  }
}
