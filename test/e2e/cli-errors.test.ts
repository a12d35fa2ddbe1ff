import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, writeSimConfig } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();

describe('CLI errors', () => {
  it('print every line with the compshare-watch: prefix and no stack, whoever raised them', async () => {
    const dir = tempDir();
    // Nothing listens there, and no command below gets as far as calling it.
    const config = writeSimConfig(dir, 'http://127.0.0.1:9');
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'api:\n  timeoutMs: -1\nwatches:\n  - name: x\n    schedule: "not a cron"\n');
    const failing: Array<[string[], number]> = [
      [['check', '--colour'], 2],
      [['nope'], 2],
      [['histroy'], 2],
      [['history', '--since'], 2],
      [['run', '--log-level', 'loud'], 2],
      [['notify', 'test', '--bogus'], 2],
      [['check', '--config', join(dir, 'missing.yaml')], 2],
      [['check', '--config', broken], 2],
      [['history', '--config', config, '--since', 'a week'], 2],
      [['stats', '--config', config], 2],
      [['events', '--config', config, 'extra'], 2],
    ];
    const results = await Promise.all(failing.map(([args]) => runCli(args)));
    results.forEach((result, index) => {
      const [args, code] = failing[index]!;
      const lines = result.stderr.trimEnd().split('\n');
      expect({ args, code: result.code }).toEqual({ args, code });
      expect(lines.length, `${args.join(' ')}: ${result.stderr}`).toBeGreaterThan(0);
      for (const line of lines) expect(line, args.join(' ')).toMatch(/^compshare-watch: \S/);
      expect(result.stderr, args.join(' ')).not.toMatch(/^\s+at /m);
    });
  });

  it('name the help of the command that was mistyped, on the same line', async () => {
    const result = await runCli(['notify', 'test', '--bogus']);
    expect(result.stderr).toBe(`compshare-watch: unknown option '--bogus' (run "compshare-watch notify test --help" for usage)\n`);
  });
});
