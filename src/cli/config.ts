import { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { configOption } from './options.js';

/** `config validate`: load a config exactly as the other commands do, credentials included, and say it is fine. */
export function configCommand(): Command {
  const config = new Command('config').description('work with the configuration file');
  config
    .command('validate')
    .description('check a config file: YAML, every key, ${ENV} references and the key pair')
    .addOption(configOption())
    .option('--json', 'print a JSON object instead of a line')
    .addHelpText('after', '\nExit status: 0 the config is valid, 2 it is not (the problem is printed on stderr).')
    .action(async (options: { config?: string; json?: boolean }) => {
      const loaded = await loadConfig({ path: options.config });
      const names = loaded.config.watches.map((watch) => watch.name);
      const count = `${names.length} ${names.length === 1 ? 'watch' : 'watches'}`;
      process.stdout.write(
        options.json
          ? `${JSON.stringify({ ok: true, path: loaded.path, watches: names })}\n`
          : `OK: ${loaded.displayPath}: ${count}\n`,
      );
    });
  return config;
}
