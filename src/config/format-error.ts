import type { z } from 'zod';
import { quote, type Problem } from '../schema/message.js';

/** What a value looks like, in the words of YAML rather than JavaScript. */
function kindOf(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'boolean') return 'true or false';
  return `a ${typeof value}`;
}

const EXPECTED: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
};

function showScalar(value: unknown): string | undefined {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * One issue as a short sentence that names what was expected and, when `showValue` allows, what was found.
 * `showValue` is false for secrets (anything under `credentials`, anything filled in from the environment): then
 * no value from the file appears, only its kind.
 */
function describeIssue(issue: z.core.$ZodIssue, showValue: boolean): string {
  const shown = showValue ? showScalar(issue.input) : undefined;
  const found = shown === undefined ? '' : ` (found ${shown})`;
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? `a ${issue.expected}`;
      if (issue.input === undefined) return `missing (expected ${expected})`;
      return `expected ${expected}, found ${shown ?? kindOf(issue.input)}`;
    }
    case 'invalid_value':
      return `expected ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map(String).join(', ')}${found}`;
    case 'too_small':
    case 'too_big':
      return bound(issue, found);
    case 'invalid_format':
      return `${issue.format === 'url' ? 'expected an http or https URL' : `expected ${issue.format}`}${found}`;
    default:
      // Checks this project wrote (and unknown keys) carry their own wording, quoting values with `quote`.
      return showValue || typeof issue.input !== 'string'
        ? issue.message
        : issue.message
            .replaceAll(` (found ${quote(issue.input)})`, ' (value not shown)')
            .replaceAll(quote(issue.input), '(value not shown)');
  }
}

function bound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, found: string): string {
  const small = issue.code === 'too_small';
  const limit = Number(small ? issue.minimum : issue.maximum);
  const side = small ? 'at least' : 'at most';
  if (issue.origin === 'string' && small && limit === 1) return 'must not be empty';
  if (Array.isArray(issue.input)) {
    return `must have ${side} ${limit} ${limit === 1 ? 'item' : 'items'} (found ${issue.input.length})`;
  }
  if (issue.origin === 'string') return `must be ${side} ${limit} characters long${found}`;
  if (issue.inclusive) return `must be ${side} ${limit}${found}`;
  return `must be ${small ? 'greater' : 'less'} than ${limit}${found}`;
}

/**
 * The issues of a failed parse as problems, unknown keys first (a misspelt key also makes the real one "missing",
 * and the typo is the thing to report), then in the schema's order. `showValue` decides per path whether the
 * value found there may appear in the message.
 */
export function issueProblems(
  error: z.ZodError,
  showValue: (path: readonly PropertyKey[]) => boolean,
): [Problem, ...Problem[]] {
  const toProblem = (issue: z.core.$ZodIssue): Problem => ({
    path: issue.path,
    problem: describeIssue(issue, showValue(issue.path)),
  });
  const unknownKeysFirst = (issue: z.core.$ZodIssue) => (issue.code === 'unrecognized_keys' ? 0 : 1);
  const [first, ...rest] = [...error.issues].sort((a, b) => unknownKeysFirst(a) - unknownKeysFirst(b));
  if (first === undefined) throw new TypeError('issueProblems: a failed parse always has an issue');
  return [toProblem(first), ...rest.map(toProblem)];
}
