#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { checkCommand } from './commands/check.js';
import { configCommand } from './commands/config.js';
import { simCommand } from './commands/sim.js';
import { runCommand } from './commands/run.js';
import { historyCommand } from './commands/history.js';
import { statsCommand } from './commands/stats.js';
import { eventsCommand } from './commands/events.js';
import { policyCommand } from './commands/policy.js';
import { notifyCommand } from './commands/notify.js';
import { provisionCommand } from './commands/provision.js';
import { instancesCommand } from './commands/instances.js';
import { demoCommand } from './commands/demo.js';
import { statusCommand } from './commands/status.js';
import { printError, reportAndExit, EXIT_USAGE } from './exit.js';
import { packageVersion } from '../version.js';

/**
 * Every subcommand, one factory each; adding a command is a declaration in commands/, its implementation beside
 * this file, and one line here. Declarations import no implementation: each action loads its own on use, so
 * `--help` or one command does not load every command's dependencies (zod, undici, SQLite, pino, yaml).
 */
const commands: Array<() => Command> = [
  runCommand,
  statusCommand,
  checkCommand,
  historyCommand,
  statsCommand,
  eventsCommand,
  instancesCommand,
  policyCommand,
  provisionCommand,
  notifyCommand,
  configCommand,
  simCommand,
  demoCommand,
];

/**
 * Usage mistakes exit 2 (commander's default is 1, which this CLI keeps for API failures) and print one line in the
 * CLI's own error format, naming the help of the command that was mistyped.
 */
function throwInsteadOfExit(command: Command, path: string): Command {
  command.exitOverride().configureOutput({ outputError: (message) => printError(usageLine(message, path)) });
  for (const sub of command.commands) throwInsteadOfExit(sub, `${path} ${sub.name()}`);
  return command;
}

/** Commander's "error: unknown option '--x'\n(Did you mean --y?)" as one line with a pointer to the help. */
function usageLine(message: string, path: string): string {
  const text = message.trim().replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
  return `${text} (run "${path} --help" for usage)`;
}

/** The commands that run until stopped; every other one makes a few calls and exits. */
const LONG_RUNNING = new Set(['run', 'sim', 'demo']);

/**
 * V8 tuned for the kind of command, before the command's own modules load. node:v8 is loaded here, not on import:
 * it pulls in node:stream and the heap utilities, about a tenth of `--help`'s start-up, which never needs it.
 *
 * A command that exits after a few calls has undici's HTTP parser (WebAssembly) compiled by the baseline compiler
 * only: the optimising tier-up would start in the background and hold the exit up by about 100 ms, for a parser
 * that parses one or two answers. The daemon keeps the tier-up, where it pays off.
 *
 * A long-running command keeps V8's young generation at its starting size (1 MiB semi-spaces) instead of letting
 * it double up to 16 MiB: start-up (500 watches' config parsed and validated) and every tick's polls waiting behind
 * the rate limit make many objects survive a scavenge, which is what grows it, and once grown it never shrinks.
 * Grown, it and the old-generation headroom that comes with it stay resident: about 40 MB of the 145 MB of a
 * daemon with 500 watches on a 10 s schedule. The price is more, smaller scavenges: a few percent more CPU at that
 * load, pauses of a few ms, polls no later. `--max-semi-space-size` cannot be set once the heap exists; the growth
 * factor is read each time the young generation would grow.
 */
async function tuneV8For(_program: Command, action: Command): Promise<void> {
  const v8 = await import('node:v8');
  v8.setFlagsFromString(LONG_RUNNING.has(action.name()) ? '--semi-space-growth-factor=1' : '--liftoff-only');
}

const program = new Command('compshare-watch')
  .description('Watch UCloud Compshare GPU capacity, keep its history, alert on changes, stop instances on time')
  .version(packageVersion(), '-V, --version');
for (const command of commands) program.addCommand(command());
program.hook('preAction', tuneV8For);
throwInsteadOfExit(program, program.name());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
  } else {
    reportAndExit(error);
  }
}
