import { Command } from 'commander';
import type { ValidateOptions } from '../config.js';
import { configOption } from '../options.js';

/** `config validate`: the configuration file, checked as every command loads it. */
export function configCommand(): Command {
  const config = new Command('config').description('work with the configuration file');
  config
    .command('validate')
    .description('check a config file: YAML, every key, ${ENV} references and the key pair')
    .addOption(configOption())
    .option('--json', 'print a JSON object instead of lines: {ok, path, watches, warnings} or {ok, problems}')
    .addHelpText(
      'after',
      '\nExit status: 0 the config is valid, 2 it is not (every problem is printed on stderr, one per line;' +
        ' with --json on stdout as problems: [{path, message}]).',
    )
    .action(async (options: ValidateOptions) => (await import('../config.js')).validate(options));
  return config;
}
