import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readResults, RUN_FIGURES_ENV, type FigureResult } from './results.js';
import { benchTable } from './summary.js';

/**
 * `npm run bench`: each bench appends the figures it measured to one file; at the end the table of this run's
 * figures is printed (results.json keeps them too, with those of earlier runs this one did not measure).
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'compshare-bench-'));
  const file = join(dir, 'figures.jsonl');
  process.env[RUN_FIGURES_ENV] = file;
  return () => {
    let figures: Array<{ name: string; result: FigureResult }> = [];
    try {
      figures = readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { name: string; result: FigureResult });
    } catch {
      // no bench got as far as a figure
    }
    rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`\n${benchTable(figures, readResults().machine)}\n`);
  };
}
