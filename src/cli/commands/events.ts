import { Command } from 'commander';
import type { EventsOptions } from '../events.js';
import { configOption } from '../options.js';

export function eventsCommand(): Command {
  return new Command('events')
    .description('list recorded events (capacity available / sold out, watch blind / recovered), newest first')
    .addOption(configOption())
    .option('--since <duration>', 'how far back, e.g. 12h, 7d', '1d')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: EventsOptions) => (await import('../events.js')).events(options));
}
