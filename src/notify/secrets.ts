/** URL parts this short are words such as `send` or `hook`, not tokens; scrubbing them would garble messages. */
const MIN_URL_TOKEN_LENGTH = 8;
/** Shorter secrets cannot be told apart from ordinary text, and replacing them would garble every message. */
const MIN_SECRET_LENGTH = 4;

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
 * Replaces every secret, raw or URL-encoded, in text that may reach a log, an error or the terminal: a far end
 * may echo the request (its URL, a header) back in its error message.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let scrubbed = text;
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) scrubbed = scrubbed.replaceAll(form, '[redacted]');
  }
  return scrubbed;
}
