import { z } from 'zod';

/** How long a channel waits for the far end (connect, send, answer) before calling the attempt failed. */
export const DEFAULT_CHANNEL_TIMEOUT_MS = 10_000;

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** A webhook URL. Its path or query usually holds the access token, so a config error never echoes it. */
export const secretUrl = z.string().refine(isHttpUrl, {
  error: 'expected an http or https URL (the value is not shown: it may hold an access token)',
});


export const timeoutMs = z.number().int().positive().default(DEFAULT_CHANNEL_TIMEOUT_MS);
