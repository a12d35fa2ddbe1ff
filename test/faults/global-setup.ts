import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OUTCOMES_ENV, outcomeLine, type Outcome } from './outcome.js';

/**
 * `npm run faults`: the scenarios append their outcomes to one file; at the end the summary prints one PASS/FAIL line
 * per scenario. A failed scenario also fails its test, so the command exits non-zero.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'compshare-faults-'));
  const file = join(dir, 'outcomes.jsonl');
  process.env[OUTCOMES_ENV] = file;
  return () => {
    let outcomes: Outcome[] = [];
    try {
      outcomes = readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Outcome);
    } catch {
      // no scenario got as far as an outcome
    }
    rmSync(dir, { recursive: true, force: true });
    const failed = outcomes.filter((outcome) => !outcome.pass).length;
    const lines = outcomes.map(outcomeLine);
    process.stdout.write(`\nfault scenarios\n${lines.join('\n')}\n${outcomes.length - failed} passed, ${failed} failed\n`);
  };
}
