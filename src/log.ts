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
 * The sd-daemon priority each pino level starts at (sd-daemon(3): `<3>` err, `<4>` warning, `<6>` info, `<7>`
 * debug), lowest level first. journald reads the prefix as the line's priority, so `journalctl -p warning` works.
 */
const JOURNAL_PRIORITIES = [
  { level: 'trace', prefix: '<7>' },
  { level: 'info', prefix: '<6>' },
  { level: 'warn', prefix: '<4>' },
  { level: 'error', prefix: '<3>' },
] as const;

/** Where log lines go: anything with a synchronous write (stderr's file descriptor, or a test's capture). */
export interface LogDestination {
  write(line: string): unknown;
}

export interface LoggerOptions {
  level?: string;
  pretty?: boolean;
  /** `JOURNAL_STREAM` (set by systemd when stderr is the journal) is read from here; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Default: stderr, written synchronously. */
  destination?: LogDestination;
}

/**
 * Human-readable lines on a terminal, JSON lines otherwise (journald, files), each prefixed with its journald
 * priority under systemd. Logs go to stderr so `--json` output on stdout stays parseable.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const journal = (options.env ?? process.env).JOURNAL_STREAM !== undefined;
  const usePretty = options.pretty ?? (process.stderr.isTTY === true && !journal);
  const redact = { paths: REDACTED_PATHS, censor: '[redacted]' };
  const pino = require('pino') as typeof import('pino');
  if (usePretty) {
    const pretty = require('pino-pretty') as typeof import('pino-pretty');
    return pino({ level, redact }, pretty({ destination: 2, sync: true, colorize: !process.env.NO_COLOR, ignore: 'pid,hostname' }));
  }
  const destination = options.destination ?? pino.destination({ dest: 2, sync: true });
  const settings = { level, redact, base: { pid: process.pid } };
  if (!journal) return pino(settings, destination);
  // One stream per priority, each line going only to the highest one its level reaches: prefixed in the same
  // synchronous write as the line itself, with no worker thread that could lose lines at exit.
  const streams = JOURNAL_PRIORITIES.map(({ level: from, prefix }) => ({
    level: from,
    stream: { write: (line: string) => destination.write(`${prefix}${line}`) },
  }));
  return pino(settings, pino.multistream(streams, { dedupe: true }));
}
