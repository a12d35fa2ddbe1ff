import { Command } from 'commander';
import type { HistoryOptions } from '../history.js';
import { configOption } from '../options.js';

export function historyCommand(): Command {
  return new Command('history')
    .description('list capacity transitions, newest first, with how long each state lasted')
    .addOption(configOption())
    .option('-w, --watch <name>', 'only this watch')
    .option('--since <duration>', 'how far back, e.g. 12h, 7d', '7d')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: HistoryOptions) => (await import('../history.js')).history(options));
}
