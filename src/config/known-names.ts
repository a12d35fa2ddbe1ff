import { quote } from '../schema/message.js';

/**
 * `unknown notifier "x" (expected one of mail, team)`: the wording of every reference by name to another section, so
 * a dangling name reads the same wherever it is. `section` is the key the names live under, for when it is empty.
 */
export function unknownNameProblem(kind: string, name: string, known: readonly string[], section: string): string {
  const expected = known.length ? `one of ${known.join(', ')}` : `a name under ${section}:, which is empty`;
  return `unknown ${kind} ${quote(name)} (expected ${expected})`;
}
