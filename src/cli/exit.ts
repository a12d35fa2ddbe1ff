import { CompshareError } from '../compshare/errors.js';
import { ConfigError } from '../config/errors.js';
import { UsageError } from './usage-error.js';
import { StoreError } from '../store/errors.js';

/** Exit codes every command shares: 1 for API failures, 2 for usage and config mistakes. */
export const EXIT_API_ERROR = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;

/** Starts every error line the CLI prints, so that scripts and eyes can tell its errors from other output. */
export const ERROR_PREFIX = 'compshare-watch: ';

/** Prints an error message on stderr, each of its lines (a config can have several problems) prefixed. */
export function printError(message: string): void {
  process.stderr.write(`${message.split('\n').map((line) => `${ERROR_PREFIX}${line}`).join('\n')}\n`);
}

/**
 * Prints one line for a user-facing failure and sets the exit code; only an unexpected error (a bug) shows its
 * stack, because then it is needed for the report.
 */
export function reportAndExit(error: unknown): void {
  if (error instanceof ConfigError || error instanceof UsageError || error instanceof StoreError) {
    printError(error.message);
    process.exitCode = EXIT_USAGE;
  } else if (error instanceof CompshareError) {
    printError(error.message);
    process.exitCode = EXIT_API_ERROR;
  } else {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    // The stack stays as it is (not prefixed line by line): it is for the bug report.
    process.stderr.write(`${ERROR_PREFIX}internal error, please report it: ${detail}\n`);
    process.exitCode = EXIT_INTERNAL;
  }
}
