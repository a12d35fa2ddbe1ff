import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** The levels `--log-level` and `LOG_LEVEL` accept. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;

/** Field names whose values are replaced before any log line is written, wherever they appear. */
const REDACTED_PATHS = [
  'privateKey',
  '*.privateKey',
  'credentials',
  '*.credentials',
  'pass',
  '*.pass',
  'secret',
  '*.secret',
  'Signature',
  '*.Signature',
];

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
