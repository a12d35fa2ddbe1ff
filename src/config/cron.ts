import { Cron } from 'croner';

/**
 * What is wrong with a cron pattern (five fields, or six with seconds first), or undefined when croner accepts it.
 * Croner's text sometimes repeats the pattern; that copy is removed so the caller decides whether to show it.
 */
export function cronProblem(pattern: string): string | undefined {
  try {
    // Paused: a job that never fires, built only to run croner's own parser.
    new Cron(pattern, { paused: true });
    return undefined;
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return text
      .replace(/^CronPattern: /, '')
      .replace(` ('${pattern}')`, '')
      .replace(/\.$/, '');
  }
}
