import { appendFileSync } from 'node:fs';

/** What one fault scenario found: whether its guarantee held, and the counts that show it. */
export interface Outcome {
  /** Kebab-case, as the summary line names it: `poll-fault-mix`. */
  scenario: string;
  pass: boolean;
  /** What was done and what was found, in the order the line prints them: `{ polls: 10000, falseTransitions: 0 }`. */
  counts: Record<string, number | string>;
  /** Why it failed, in words (empty when it passed). */
  failures: string[];
}

/** Set by the faults run's global setup: where each scenario appends its outcome for the summary. */
export const OUTCOMES_ENV = 'COMPSHARE_FAULTS_OUTCOMES';

/** The one line a scenario prints: `PASS poll-fault-mix: polls=10000 falseTransitions=0 crashes=0`. */
export function outcomeLine(outcome: Outcome): string {
  const counts = Object.entries(outcome.counts)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  const why = outcome.failures.length > 0 ? ` (${outcome.failures.join('; ')})` : '';
  return `${outcome.pass ? 'PASS' : 'FAIL'} ${outcome.scenario}: ${counts}${why}`;
}

/** An outcome from its counts and the failures found: it passes when there are none. */
export function outcomeOf(scenario: string, counts: Outcome['counts'], failures: readonly string[]): Outcome {
  return { scenario, pass: failures.length === 0, counts, failures: [...failures] };
}

/**
 * Records an outcome for the summary `npm run faults` prints at the end (one line per scenario), and prints its line
 * at once too. Outside a faults run (the small subsets in `npm test`) only the line is printed.
 */
export function recordOutcome(outcome: Outcome): void {
  const file = process.env[OUTCOMES_ENV];
  if (file !== undefined) appendFileSync(file, `${JSON.stringify(outcome)}\n`);
  console.log(outcomeLine(outcome));
}
