import { Command } from 'commander';
import type { ApplyOptions, ClearOptions, PlanOptions } from '../policy.js';
import { configOption } from '../options.js';

const EXIT_HELP =
  "\nExit status: 0 ok, 1 an API call failed or a policy could not decide an instance's stop, 2 usage or config error.";

/** `policy plan | apply | clear`: the scheduled-stop policies of the config, by hand. */
export function policyCommand(): Command {
  const policy = new Command('policy').description('scheduled-stop policies (stopPolicies in the config): plan, apply, clear');
  policy
    .command('plan')
    .description('show which instances the policies select and the stop time each would get; changes nothing')
    .addOption(configOption())
    .option('-p, --policy <name>', 'only the instances this policy selects')
    .option('--json', 'print JSON instead of a table')
    .addHelpText('after', EXIT_HELP)
    .action(async (options: PlanOptions) => (await import('../policy.js')).policyPlan(options));
  policy
    .command('apply')
    .description('set the planned stop times (asks first on a terminal)')
    .addOption(configOption())
    .option('-p, --policy <name>', 'only the instances this policy selects')
    .option('-y, --yes', 'do not ask; required when not run on a terminal')
    .option('--json', 'print the results as JSON')
    .addHelpText('after', EXIT_HELP)
    .action(async (options: ApplyOptions) => (await import('../policy.js')).policyApply(options));
  policy
    .command('clear')
    .description("remove one instance's scheduled stop")
    .requiredOption('-i, --instance <id>', 'the instance (UHostId)')
    .addOption(configOption())
    .addHelpText('after', EXIT_HELP)
    .action(async (options: ClearOptions) => (await import('../policy.js')).policyClear(options));
  return policy;
}
