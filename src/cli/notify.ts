import { Command } from 'commander';
import { notifyTestCommand } from './notify-test.js';
import { notifyStatusCommand } from './notify-status.js';

/** `notify`: work with the alert channels. */
export function notifyCommand(): Command {
  return new Command('notify').description('work with alert notifiers').addCommand(notifyTestCommand())
    .addCommand(notifyStatusCommand());
}
