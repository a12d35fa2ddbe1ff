import { Command } from 'commander';
import type { ResumeOptions, StatusOptions } from '../provision.js';
import type { TestOptions } from '../provision-test.js';
import { configOption } from '../options.js';

/** `provision status | test | resume`: look at, try and unpause the auto-provisioners (provisioners in the config). */
export function provisionCommand(): Command {
  const provision = new Command('provision').description('auto-provisioners (provisioners in the config): status, test, resume');
  provision
    .command('status')
    .description('show each provisioner: dry run or live, pause, guardrail headroom, owned instances, recent ledger; reads the database only')
    .option('-p, --provisioner <name>', 'only this provisioner')
    .addOption(configOption())
    .option('--json', 'print JSON instead of text')
    .addHelpText('after', '\nExit status: 0 ok, 2 usage or config error (an unknown provisioner, no database yet).')
    .action(async (options: StatusOptions) => (await import('../provision.js')).provisionStatus(options));
  provision
    .command('test')
    .description('the decision a provisioner would take now, against live capacity and prices; never creates anything')
    .requiredOption('-p, --provisioner <name>', 'the provisioner to test')
    .option('-w, --watch <name>', 'the triggering watch, when several name the provisioner (default: the first)')
    .addOption(configOption())
    .option('--json', 'print JSON instead of text')
    .addHelpText('after', '\nExit status: 0 it would create, 1 it would not (a guardrail, sold out) or an API call failed, 2 usage or config error.')
    .action(async (options: TestOptions) => (await import('../provision-test.js')).provisionTest(options));
  provision
    .command('resume')
    .description('lift the pause a refused create (arrears, unverified account) put on a provisioner; works while the daemon runs')
    .argument('<name>', 'the provisioner')
    .addOption(configOption())
    .addHelpText('after', '\nExit status: 0 resumed, 1 it was not paused, 2 usage or config error.')
    .action(async (name: string, options: ResumeOptions) => (await import('../provision.js')).provisionResume(name, options));
  return provision;
}
