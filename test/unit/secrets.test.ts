import { describe, expect, it } from 'vitest';
import { SecretScrubber, headerSecrets, smtpLoginSecrets } from '../../src/notify/secrets.js';

const SECRET = 'p@ss/word+42';
const scrubber = new SecretScrubber([SECRET]);

describe('SecretScrubber', () => {
  it.each([
    ['raw', SECRET],
    ['URL-encoded', encodeURIComponent(SECRET)],
    ['URL-encoded, lower-case hex', encodeURIComponent(SECRET).toLowerCase()],
    ['form-encoded', new URLSearchParams({ x: SECRET }).toString().slice(2)],
    ['base64', Buffer.from(SECRET).toString('base64')],
    ['base64url', Buffer.from(SECRET).toString('base64url')],
  ])('replaces the secret %s', (_form, encoded) => {
    expect(scrubber.scrub(`refused: ${encoded}!`)).toBe('refused: [redacted]!');
  });

  it.each([0, 1, 2, 3, 4])('finds the secret inside longer base64 text, %i bytes in', (offset) => {
    const blob = Buffer.from(`${'x'.repeat(offset)}${SECRET}tail`).toString('base64');
    expect(scrubber.scrub(blob)).toContain('[redacted]');
  });

  it('scrubs an AUTH PLAIN blob and a bearer token quoted without its scheme', () => {
    const login = new SecretScrubber(smtpLoginSecrets('alerts', 'hunter2-secret'));
    const plain = Buffer.from('\u0000alerts\u0000hunter2-secret').toString('base64');
    expect(login.scrub(`535 ${plain}`)).toBe('535 [redacted]');
    expect(new SecretScrubber(headerSecrets('Bearer abcdef123456')).scrub('token abcdef123456 expired')).toBe('token [redacted] expired');
  });

  it('scrubs before cutting, so a token at the cut leaves no part of itself', () => {
    const text = `${'x'.repeat(15)}${SECRET} and more`;
    expect(scrubber.farEndText(text, 20)).toBe(`${'x'.repeat(15)}[red…`);
  });

  it('leaves ordinary text and short values alone', () => {
    expect(new SecretScrubber(['abc']).scrub('abc def')).toBe('abc def');
    expect(scrubber.scrub('HTTP 503 from 127.0.0.1:8080')).toBe('HTTP 503 from 127.0.0.1:8080');
  });
});
