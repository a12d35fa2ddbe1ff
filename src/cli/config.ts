import { Command } from 'commander';
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import { EXIT_USAGE } from './exit.js';
import { configOption } from './options.js';

/** `config validate`: load a config exactly as the other commands do, credentials included, and say it is fine. */
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
    .action(async (options: { config?: string; json?: boolean }) => {
      if (options.json) return validateAsJson(options.config);
      const loaded = await loadConfig({ path: options.config });
      printConfigWarnings(loaded.warnings);
      const names = loaded.config.watches.map((watch) => watch.name);
      const count = `${names.length} ${names.length === 1 ? 'watch' : 'watches'}`;
      process.stdout.write(`OK: ${loaded.displayPath}: ${count}\n`);
    });
  return config;
}

/** Warnings of a config that loaded (a key file others can read), on stderr, one line each. */
export function printConfigWarnings(warnings: readonly string[]): void {
  for (const warning of warnings) process.stderr.write(`compshare-watch: warning: ${warning}\n`);
}

/** The same check for scripts: the outcome as one JSON object on stdout, whether the config is valid or not. */
async function validateAsJson(path: string | undefined): Promise<void> {
  try {
    const loaded = await loadConfig({ path });
    const watches = loaded.config.watches.map((watch) => watch.name);
    process.stdout.write(`${JSON.stringify({ ok: true, path: loaded.path, watches, warnings: loaded.warnings })}\n`);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stdout.write(`${JSON.stringify({ ok: false, file: error.file, problems: error.problems })}\n`);
    process.exitCode = EXIT_USAGE;
  }
}
