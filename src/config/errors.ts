import { formatPath, type Problem } from '../schema/message.js';

/** A problem found before there is a YAML tree to point into (a syntax error): where in the text it is. */
export interface TextPosition {
  line: number;
  col: number;
}

/** A problem at a YAML path, or (for syntax errors) at a place in the text. */
export type LocatedProblem = Problem & { at?: TextPosition };

/** One problem as `config validate --json` prints it: the YAML path (empty for the file as a whole) and why. */
export interface ReportedProblem {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/**
 * Everything wrong with a configuration file, one line per problem (`<file>: <yaml path>: <problem>`, or
 * `<file>:<line>:<col>: <problem>`), so the user can fix them all in one go. Never carries a secret's value.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly ReportedProblem[];

  /** `file` is undefined when there is no file yet (none was found). */
  constructor(
    readonly file: string | undefined,
    problems: readonly [LocatedProblem, ...LocatedProblem[]],
  ) {
    super(problems.map((problem) => lineOf(file, problem)).join('\n'));
    this.problems = problems.map(({ path, problem, at }) => ({
      path: formatPath(path),
      message: problem,
      ...(at && { line: at.line, column: at.col }),
    }));
  }
}

function lineOf(file: string | undefined, { path, problem, at }: LocatedProblem): string {
  const where = at === undefined ? file : `${file}:${at.line}:${at.col}`;
  const parts = [where, path.length === 0 ? undefined : formatPath(path), problem];
  return parts.filter((part) => part !== undefined).join(': ');
}
