import { createRequire } from 'node:module';
import type { Logger } from 'pino';

// pino and pino-pretty are loaded by the first createLogger(), not on import: commands that never log (every
// `--help`, `check`) start faster. They are CommonJS, so a synchronous require keeps createLogger synchronous.
const require = createRequire(import.meta.url);

export type { Logger };

/** The levels `--log-level` and `LOG_LEVEL` accept. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;

/** Fields that hold secrets wherever they appear in config or requests (a webhook's headers carry its token). */
const SECRET_FIELDS = ['privateKey', 'credentials', 'pass', 'password', 'secret', 'token', 'authorization', 'headers', 'Signature'];

/** Field names whose values are replaced before any log line is written, at the top level or one level down. */
const REDACTED_PATHS = SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]);

/**
 * Human-readable lines on a terminal, JSON lines otherwise (journald, files). Logs go to stderr so `--json`
 * output on stdout stays parseable.
 */
export function createLogger(options: { level?: string; pretty?: boolean } = {}): Logger {
  const level = options.level ?? 'info';
  const usePretty = options.pretty ?? process.stderr.isTTY === true;
  const redact = { paths: REDACTED_PATHS, censor: '[redacted]' };
  const pino = require('pino') as typeof import('pino');
  if (usePretty) {
    const pretty = require('pino-pretty') as typeof import('pino-pretty');
    return pino({ level, redact }, pretty({ destination: 2, sync: true, colorize: !process.env.NO_COLOR, ignore: 'pid,hostname' }));
  }
  return pino({ level, redact, base: { pid: process.pid } }, pino.destination({ dest: 2, sync: true }));
}
