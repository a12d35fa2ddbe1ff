import { Command } from 'commander';
import type { StatusOptions } from '../status.js';
import { configOption } from '../options.js';

export function statusCommand(): Command {
  return new Command('status')
    .description("the running daemon's view: each watch's last poll, each spec's state, blind watches, queue, instances (exit 1 when no daemon runs or a watch is blind)")
    .addOption(configOption())
    .option('--json', 'print JSON instead of text')
    .action(async (options: StatusOptions) => (await import('../status.js')).status(options));
}
