import { Command } from 'commander';
import type { CheckOptions } from '../check.js';
import { configOption } from '../options.js';

export function checkCommand(): Command {
  return new Command('check')
    .description('poll every watch (or one) once and print what is available now')
    .addOption(configOption())
    .option('-w, --watch <name>', 'only this watch')
    .option('--json', 'print a JSON array instead of a table')
    .addHelpText('after', '\nExit status: 0 all polls succeeded, 1 an API call failed, 2 usage or config error.')
    .action(async (options: CheckOptions) => (await import('../check.js')).check(options));
}
