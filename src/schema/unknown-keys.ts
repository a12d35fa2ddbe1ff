import { quote } from './message.js';

/** How many unknown keys one message names. */
const MAX_KEYS_SHOWN = 10;

/**
 * `unknown key "shedule" (did you mean "schedule"?)`; when nothing is close, the keys that are allowed. Key names
 * are the user's spelling, never a value, so they are safe to show.
 */
export function unknownKeysProblem(keys: readonly string[], known: readonly string[]): string {
  // A pasted or generated file can hold thousands; the first few are enough to recognise the mistake.
  const described = keys.slice(0, MAX_KEYS_SHOWN).map((key) => {
    const suggestion = closest(key, known);
    return suggestion === undefined ? quote(key) : `${quote(key)} (did you mean ${quote(suggestion)}?)`;
  });
  const label = keys.length === 1 ? 'unknown key' : 'unknown keys';
  const anySuggestion = described.some((text) => text.includes('did you mean'));
  const allowed = anySuggestion ? '' : ` (allowed: ${known.join(', ')})`;
  const hidden = keys.length - described.length;
  const more = hidden > 0 ? ` and ${hidden} more` : '';
  return `${label} ${described.join(', ')}${more}${allowed}`;
}

/** The known key a typo most likely meant: same letters ignoring case, or a small edit distance. */
function closest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const budget = lower.length >= 5 ? 2 : 1;
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= budget && (best === undefined || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
