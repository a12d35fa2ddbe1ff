/** The mark a cut leaves, so a reader sees that text is missing rather than a sentence that just stops. */
const ELLIPSIS = '…';

/**
 * At most `maxBytes` UTF-8 bytes, cut at a character boundary and marked, so a long batch still arrives instead of
 * being refused by a service that counts bytes (WeCom, Server酱, APNs behind Bark).
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
