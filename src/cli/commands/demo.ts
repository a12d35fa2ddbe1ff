import { Command } from 'commander';
import type { DemoOptions } from '../demo.js';

export function demoCommand(): Command {
  return new Command('demo')
    .description('try it without an account: the daemon against a built-in simulator, alerts printed here')
    .option('--duration <s>', 'stop after this many seconds (1 to 86400); default: run until Ctrl-C')
    .option('--port <n>', 'port of the status page (0 to 65535; 0 picks a free one)')
    .addHelpText(
      'after',
      '\nStarts a simulated Compshare whose 4090 and 5090 cards free up and sell out every few seconds, writes a\n' +
        'temporary config and database, and runs the daemon on them with a dry-run provisioner and a stop policy.\n' +
        'Everything is removed when it stops (Ctrl-C, SIGTERM or --duration). Exit status: 0 stopped, 2 usage error.',
    )
    .action(async (options: DemoOptions) => (await import('../demo.js')).demo(options));
}
