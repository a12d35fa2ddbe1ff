import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

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
  if (usePretty) {
    return pino({ level, redact }, pretty({ destination: 2, sync: true, colorize: !process.env.NO_COLOR, ignore: 'pid,hostname' }));
  }
  return pino({ level, redact, base: { pid: process.pid } }, pino.destination({ dest: 2, sync: true }));
}
