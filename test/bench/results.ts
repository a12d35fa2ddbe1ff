import { readFileSync, writeFileSync } from 'node:fs';

const RESULTS = new URL('./results.json', import.meta.url);

/** Merges one benchmark's figures into results.json and prints them. */
export function report(name: string, figures: Record<string, number | string>): void {
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>;
  } catch {
    // first run
  }
  all[name] = { ...figures, measuredAt: new Date().toISOString(), node: process.version };
  writeFileSync(RESULTS, `${JSON.stringify(all, null, 2)}\n`);
  console.log(`${name}: ${JSON.stringify(figures)}`);
}
