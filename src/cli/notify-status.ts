import { printable } from '../util/printable.js';
import { formatLocalTime } from '../util/time-format.js';
import { formatTable } from './table.js';
import { withHistory } from './history-context.js';

/** How much of a failure reason a table row shows; --json has all of it. */
const LAST_ERROR_CHARS = 200;

export interface NotifyStatusOptions {
  config?: string;
  json?: boolean;
}

/** `notify status`: what is waiting in the outbox and what was given up on. */
export async function notifyStatus(options: NotifyStatusOptions): Promise<void> {
  await withHistory(options, ({ loaded, store }) => {
    const outbox = store.outbox;
    const summary = outbox.summary();
    const open = outbox.open();
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ summary, open }, null, 2)}\n`);
      return;
    }
    if (summary.length === 0) {
      process.stdout.write('no alerts recorded yet\n');
      return;
    }
    const timezone = loaded.config.timezone;
    const counts = formatTable(['CHANNEL', 'STATUS', 'ALERTS'], summary.map((row) => [row.channel, row.status, String(row.count)]));
    const rows = open.map((row) => [
      row.channel,
      row.status,
      row.eventType,
      row.watch ?? '',
      formatLocalTime(row.createdAt, timezone),
      row.status === 'pending' ? formatLocalTime(row.nextAttemptAt, timezone) : '',
      String(row.attempts),
      // Rows written before answers were cleaned up may still hold line breaks or escapes.
      printable(row.lastError ?? '', LAST_ERROR_CHARS),
    ]);
    const detail = rows.length
      ? formatTable(['CHANNEL', 'STATUS', 'EVENT', 'WATCH', 'CREATED', 'NEXT TRY', 'TRIES', 'LAST ERROR'], rows)
      : 'nothing pending or failed';
    process.stdout.write(`${counts}\n\n${detail}\n`);
  });
}
