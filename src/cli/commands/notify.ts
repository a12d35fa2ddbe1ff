import { Command } from 'commander';
import type { NotifyStatusOptions } from '../notify-status.js';
import type { NotifyTestOptions } from '../notify-test.js';
import { configOption } from '../options.js';

/** `notify test | status`: work with the alert channels. */
export function notifyCommand(): Command {
  const notify = new Command('notify').description('work with alert notifiers');
  notify
    .command('test')
    .description('send a test message through every notifier (or one) and print OK or the error for each')
    .option('--channel <name>', 'only this notifier')
    .addOption(configOption())
    .option('--json', 'print a JSON array instead of a table')
    .addHelpText('after', '\nExit status: 0 every notifier accepted the message, 1 one failed, 2 usage or config error.')
    .action(async (options: NotifyTestOptions) => (await import('../notify-test.js')).notifyTest(options));
  notify
    .command('status')
    .description('show alerts waiting to be delivered (pending) and those given up on (failed)')
    .addOption(configOption())
    .option('--json', 'print JSON instead of a table')
    .action(async (options: NotifyStatusOptions) => (await import('../notify-status.js')).notifyStatus(options));
  return notify;
}
