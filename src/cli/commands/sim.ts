import { Command } from 'commander';
import type { SimOptions } from '../sim.js';

export function simCommand(): Command {
  return new Command('sim')
    .description('run the Compshare API simulator (the gateway protocol at /, a control API under /__sim/)')
    .option('--port <n>', 'port to listen on; 0 picks a free one', '0')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--public-key <k>', 'the public key it accepts (default $COMPSHARE_PUBLIC_KEY)')
    .option('--private-key <s>', 'the private key it verifies signatures with (default $COMPSHARE_PRIVATE_KEY)')
    .option('--scenario <file>', 'YAML or JSON scenario: region, zones, capacity and its timeline, instances')
    .option('--seed <n>', 'make capacity follow a reproducible random walk')
    .addHelpText('after', '\nPrints the base URL as the first line, then serves until SIGINT or SIGTERM.')
    .action(async (options: SimOptions) => (await import('../sim.js')).sim(options));
}
