import { cut, printable } from '../util/printable.js';

/** URL parts this short are words such as `send` or `hook`, not tokens; scrubbing them would garble messages. */
const MIN_URL_TOKEN_LENGTH = 8;
/** Shorter secrets cannot be told apart from ordinary text, and replacing them would garble every message. */
const MIN_SECRET_LENGTH = 4;
/** Base64 fragments shorter than this could be any word; longer ones are the secret. */
const MIN_BASE64_FRAGMENT = 8;
const REDACTED = '[redacted]';

/**
 * The parts of a webhook URL that may be credentials: user info, every query value (`key=`, `access_token=`) and
 * every long path segment (Feishu puts its token in the path).
 */
export function urlSecrets(url: string): string[] {
  const parsed = new URL(url);
  const candidates = [
    decodeURIComponent(parsed.username),
    decodeURIComponent(parsed.password),
    ...parsed.searchParams.values(),
    ...parsed.pathname.split('/').map((segment) => decodeURIComponent(segment)),
  ];
  return candidates.filter((candidate) => candidate.length >= MIN_URL_TOKEN_LENGTH);
}

/**
 * A header value and each long word of it: a far end that echoes `Authorization: Bearer X` may quote only `X`.
 * Scheme words (`Bearer`, `Basic`) are too short to count.
 */
export function headerSecrets(value: string): string[] {
  return [value, ...value.split(/\s+/).filter((word) => word.length >= MIN_URL_TOKEN_LENGTH)];
}

/**
 * What an SMTP login puts on the wire besides the password itself: AUTH PLAIN's base64 of "\0user\0pass" and
 * the `user:pass` of basic auth; AUTH LOGIN's base64 of the password alone is one of the password's own forms.
 */
export function smtpLoginSecrets(user: string, pass: string): string[] {
  return [pass, `\u0000${user}\u0000${pass}`, `${user}:${pass}`];
}

/**
 * Replaces every form of every secret a far end may echo back: raw, URL-encoded (either style, either case),
 * JSON-escaped, base64 and base64url, and the secret inside any longer base64 text (at each of the three byte
 * alignments). Matching ignores case, so an upper-cased echo is caught too. Built once per channel.
 */
export class SecretScrubber {
  private readonly pattern: RegExp | undefined;
  /** The longest form: text cut this far past a boundary still holds any secret that starts before it. */
  readonly longestForm: number;

  constructor(secrets: readonly string[]) {
    const forms = [...new Set(secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH).flatMap(formsOf))]
      .filter((form) => form.length >= MIN_SECRET_LENGTH)
      // Longest first: at one position the regex takes the first alternative that matches.
      .sort((a, b) => b.length - a.length);
    this.longestForm = forms[0]?.length ?? 0;
    this.pattern = forms.length === 0 ? undefined : new RegExp(forms.map(escapeRegExp).join('|'), 'gi');
  }

  scrub(text: string): string {
    return this.pattern === undefined ? text : text.replace(this.pattern, REDACTED);
  }

  /**
   * Far-end text (an answer body, an SMTP reply, an error) as it may be printed, logged and stored: one line
   * without controls or escapes, secrets scrubbed, then cut to `maxChars` (scrubbed first, so a cut cannot leave
   * half a token).
   */
  farEndText(text: string, maxChars: number): string {
    const window = printable(text, maxChars + this.longestForm + 1);
    return cut(this.scrub(window), maxChars);
  }
}

function formsOf(secret: string): string[] {
  const percent = encodeURIComponent(secret);
  return [
    secret,
    percent,
    percent.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
    new URLSearchParams([['', secret]]).toString().slice(1),
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url'),
    ...base64Fragments(Buffer.from(secret)),
  ];
}

/**
 * The base64 characters that stand for the secret alone when it sits `offset` bytes into longer encoded data,
 * for offsets 0, 1 and 2 (every alignment): the characters shared with neighbouring bytes are left out.
 */
function base64Fragments(bytes: Buffer): string[] {
  return [0, 1, 2].flatMap((offset) => {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const first = Math.ceil((offset * 4) / 3);
    const end = Math.floor((padded.length * 4) / 3);
    const standard = padded.toString('base64').slice(first, end);
    const fragments = [standard, padded.toString('base64url').slice(first, end)];
    return fragments.filter((fragment) => fragment.length >= MIN_BASE64_FRAGMENT);
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
