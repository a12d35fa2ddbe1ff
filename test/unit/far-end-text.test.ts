import { describe, expect, it } from 'vitest';
import { farEndText, MAX_FAR_END_CHARS, NetworkError } from '../../src/compshare/errors.js';

describe('farEndText', () => {
  it.each([
    ['colours and cursor moves', 'a\u001b[31;1mred\u001b[0m\u001b[2K b', 'ared b'],
    ['a terminal title and a hyperlink', '\u001b]0;title\u0007x \u001b]8;;http://e\u001b\\link\u001b]8;;\u001b\\', 'x link'],
    ['line breaks, tabs and Unicode separators as one space', 'one\r\n\ttwo\u2028three\u0085four', 'one two three four'],
    ['NUL, DEL and a lone ESC', 'a\u0000b\u007fc\u001b', 'a b c'],
  ])('strips %s', (_what, text, clean) => {
    expect(farEndText(text)).toBe(clean);
  });

  it('cuts after cleaning, marking the cut', () => {
    const text = `\u001b[31m${'y'.repeat(MAX_FAR_END_CHARS + 5)}`;
    expect(farEndText(text)).toBe(`${'y'.repeat(MAX_FAR_END_CHARS - 1)}…`);
  });

  it('cleans a network error text too', () => {
    expect(new NetworkError('A', 'reset\n2026-01-01 fake line').message).toBe('A failed: network error: reset 2026-01-01 fake line');
  });
});
