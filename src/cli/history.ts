import { formatDuration } from '../util/duration.js';
import { formatLocalTime } from '../util/time-format.js';
import { formatTable } from './table.js';
import { describeOngoing, withHistory } from './history-context.js';

export interface HistoryOptions {
  config?: string;
  watch?: string;
  since: string;
  json?: boolean;
}

/** `history`: the capacity transitions of the period, newest first, with how long each state lasted. */
export async function history(options: HistoryOptions): Promise<void> {
  await withHistory(options, ({ loaded, store, since, asOf }) => {
    const rows = store.transitions.list(since, options.watch);
    if (options.json) {
      const json = rows.map((row) => {
        if (row.until !== null) return { ...row, lastedMs: row.until - row.at, ongoing: false };
        const known = asOf(row.watch);
        return { ...row, lastedMs: known.asOf - row.at, ongoing: true, ...known };
      });
      process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      return;
    }
    if (rows.length === 0) {
      process.stdout.write('no transitions in this period\n');
      return;
    }
    const timezone = loaded.config.timezone;
    const table = rows.map((row) => [
      formatLocalTime(row.at, timezone),
      row.watch,
      `${row.gpu} GPU / ${row.cpu} CPU / ${row.mem} GB`,
      `${row.from ?? '(start)'} -> ${row.to}`,
      row.until === null ? describeOngoing(row.at, asOf(row.watch), timezone) : formatDuration(row.until - row.at),
    ]);
    process.stdout.write(`${formatTable([`TIME (${timezone})`, 'WATCH', 'SPEC', 'CHANGE', 'LASTED'], table)}\n`);
  });
}
