import { Cron } from 'croner';

/** Minute hour day month weekday, optionally with seconds first; croner's nicknames (`@hourly`) count as one. */
const FIELD_COUNTS = [5, 6];
/** A line break or tab inside a pattern: YAML's folded or multi-line strings let one in unnoticed. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * What is wrong with a cron pattern (five fields, or six with seconds first), or undefined when it is fine.
 * Croner alone is too lenient for a config: it also takes a seventh (year) field, line breaks between fields, and
 * dates that never come (`0 0 30 2 *`), which would make a watch that silently never polls.
 * Croner's text sometimes repeats the pattern; that copy is removed so the caller decides whether to show it.
 */
export function cronProblem(pattern: string): string | undefined {
  if (CONTROL_CHARACTER.test(pattern)) return 'must be on one line, fields separated by spaces';
  const fields = pattern.trim().split(/ +/);
  if (!pattern.trim().startsWith('@') && !FIELD_COUNTS.includes(fields.length)) {
    return `has ${fields.length} fields; expected 5 (minute hour day month weekday) or 6 (seconds first)`;
  }
  try {
    // Paused: a job that never fires, built only to run croner's own parser and to find its next date.
    const job = new Cron(pattern, { paused: true });
    const fires = job.nextRun() !== null;
    job.stop();
    return fires ? undefined : 'never fires (no date matches it)';
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return text
      .replace(/^CronPattern: /, '')
      .replace(` ('${pattern}')`, '')
      .replace(/\.$/, '');
  }
}
