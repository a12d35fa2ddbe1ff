#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { checkCommand } from './check.js';
import { configCommand } from './config.js';
import { simCommand } from './sim.js';
import { runCommand } from './run.js';
import { historyCommand } from './history.js';
import { statsCommand } from './stats.js';
import { eventsCommand } from './events.js';
import { policyCommand } from './policy.js';
import { notifyCommand } from './notify.js';
import { reportAndExit, EXIT_USAGE } from './exit.js';
import { packageVersion } from '../version.js';

/** Every subcommand, one factory each; adding a command is one file and one line here. */
const commands: Array<() => Command> = [
  runCommand,
  checkCommand,
  historyCommand,
  statsCommand,
  eventsCommand,
  policyCommand,
  notifyCommand,
  configCommand,
  simCommand,
];

/** Usage mistakes exit 2 (commander's default is 1, which this CLI keeps for API failures). */
function throwInsteadOfExit(command: Command): Command {
  command.exitOverride().showHelpAfterError('(run with --help for usage)');
  for (const sub of command.commands) throwInsteadOfExit(sub);
  return command;
}

const program = new Command('compshare-watch')
  .description('Watch UCloud Compshare GPU capacity, keep its history, alert on changes, stop instances on time')
  .version(packageVersion(), '-V, --version');
for (const command of commands) program.addCommand(command());
throwInsteadOfExit(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
  } else {
    reportAndExit(error);
  }
}
