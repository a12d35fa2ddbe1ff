import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FakeNotifySend {
  /** The directory to put first on PATH. */
  dir: string;
  /** Every call so far: its arguments and the exit code it was told to give. */
  calls(): Array<{ argv: string[]; exitCode: number }>;
  /** Makes the following calls exit with this code, writing `stderr`; 0 succeeds again. */
  fail(exitCode: number, stderr?: string): void;
}

/** A `notify-send` script (run by this Node binary) that appends each call as a JSON line and exits as told. */
export function installFakeNotifySend(dir: string): FakeNotifySend {
  const callsFile = join(dir, 'calls.jsonl');
  const behaviourFile = join(dir, 'behaviour.json');
  const script = join(dir, 'notify-send');
  writeFileSync(
    script,
    `#!${process.execPath}
const fs = require('node:fs');
const behaviour = fs.existsSync(${JSON.stringify(behaviourFile)}) ? JSON.parse(fs.readFileSync(${JSON.stringify(behaviourFile)}, 'utf8')) : { exitCode: 0 };
fs.appendFileSync(${JSON.stringify(callsFile)}, JSON.stringify({ argv: process.argv.slice(2), exitCode: behaviour.exitCode }) + '\\n');
if (behaviour.stderr) process.stderr.write(behaviour.stderr);
process.exit(behaviour.exitCode);
`,
  );
  chmodSync(script, 0o755);
  return {
    dir,
    calls: () =>
      existsSync(callsFile)
        ? readFileSync(callsFile, 'utf8')
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line) as { argv: string[]; exitCode: number })
        : [],
    fail: (exitCode, stderr) => writeFileSync(behaviourFile, JSON.stringify({ exitCode, stderr })),
  };
}
