import { Command } from 'commander';
import type { InstancesOptions } from '../instances.js';
import { configOption } from '../options.js';

/** `instances`: the account's instances with state, stop time and owner. */
export function instancesCommand(): Command {
  return new Command('instances')
    .description("list the account's instances in the region: state, charge type, scheduled stop, and the provisioner or stop policy that owns each")
    .addOption(configOption())
    .option('--json', 'print JSON instead of a table')
    .addHelpText('after', '\nExit status: 0 ok, 1 an API call failed, 2 usage or config error.')
    .action(async (options: InstancesOptions) => (await import('../instances.js')).instances(options));
}
