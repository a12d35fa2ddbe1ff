import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Whether a request carries `token` (as `Authorization: Bearer …` or `?token=…`). Both sides are hashed first, so
 * the comparison is of equal-length buffers and takes the same time whatever the caller sent.
 */
export function carriesToken(request: IncomingMessage, url: URL, token: string): boolean {
  const header = request.headers.authorization;
  const given = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : url.searchParams.get('token');
  if (given === null || given === undefined) return false;
  return timingSafeEqual(digest(given), digest(token));
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
