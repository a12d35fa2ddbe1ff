import { formatLocalTime } from '../util/time-format.js';
import { formatTable } from './table.js';
import { withHistory } from './history-context.js';

export interface EventsOptions {
  config?: string;
  since: string;
  json?: boolean;
}

/** `events`: the events recorded in the period, newest first. */
export async function events(options: EventsOptions): Promise<void> {
  await withHistory(options, ({ loaded, store, since }) => {
    const events = store.events.list(since);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(events, null, 2)}\n`);
      return;
    }
    if (events.length === 0) {
      process.stdout.write('no events in this period\n');
      return;
    }
    const timezone = loaded.config.timezone;
    const rows = events.map((event) => [
      formatLocalTime(event.createdAt, timezone),
      event.type,
      event.watch ?? '',
      describe(event.payload),
    ]);
    process.stdout.write(`${formatTable([`TIME (${timezone})`, 'EVENT', 'WATCH', 'DETAIL'], rows)}\n`);
  });
}

function describe(payload: Record<string, unknown>): string {
  if (typeof payload.gpu === 'number') return `${payload.gpu} GPU / ${String(payload.cpu)} CPU / ${String(payload.mem)} GB`;
  return typeof payload.error === 'string' ? payload.error : '';
}
