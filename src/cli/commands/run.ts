import { Command, Option } from 'commander';
import { LOG_LEVELS } from '../../log.js';
import type { RunOptions } from '../run.js';
import { configOption } from '../options.js';

export function runCommand(): Command {
  return new Command('run')
    .description('run in the foreground: poll every watch on its schedule and record the history')
    .addOption(configOption())
    .addOption(
      new Option('--log-level <level>', 'log level (default info, or $LOG_LEVEL)').choices(LOG_LEVELS),
    )
    .addHelpText('after', '\nReloads the config on SIGHUP (a broken one is logged and the running one kept). Stops cleanly on SIGINT or\nSIGTERM; a second one exits at once. Exit status: 0 stopped, 2 usage, config or database error.')
    .action(async (options: RunOptions) => (await import('../run.js')).run(options));
}
