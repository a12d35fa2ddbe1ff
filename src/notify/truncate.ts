/** Marks a cut, so a reader knows the message went on. */
const ELLIPSIS = '…';

/**
 * Cuts `text` to at most `maxBytes` of UTF-8 at a character boundary and marks the cut, for services that count
 * bytes (WeCom's markdown, ntfy's message): a long batch still arrives instead of being refused or turned into an
 * attachment.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let bytes = Buffer.byteLength(ELLIPSIS);
  let kept = '';
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > maxBytes) break;
    kept += char;
  }
  return kept + ELLIPSIS;
}
