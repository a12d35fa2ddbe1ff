import { Command } from 'commander';
import type { StatsOptions } from '../stats.js';
import { configOption } from '../options.js';

export function statsCommand(): Command {
  return new Command('stats')
    .description('per spec: availability %, available windows, time to come back, an hour x weekday heat map and a forecast')
    .addOption(configOption())
    .option('-w, --watch <name>', 'only this watch')
    .option('--since <duration>', 'how far back, e.g. 7d, 30d', '30d')
    .option('--json', 'print JSON instead of text')
    .action(async (options: StatsOptions) => (await import('../stats.js')).stats(options));
}
