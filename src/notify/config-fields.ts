import { z } from 'zod';
import { unknownKeysProblem } from '../config/unknown-keys.js';

/** How long a channel waits for the far end (connect, send, answer) before calling the attempt failed. */
export const DEFAULT_CHANNEL_TIMEOUT_MS = 10_000;

/**
 * One notifier's mapping: unknown keys are errors that name the allowed keys, as everywhere else in the config.
 * (The same rule as `section` in config/schema.ts, which imports this folder and so cannot be imported here.)
 */
export function notifierSection<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? unknownKeysProblem(issue.keys, Object.keys(shape)) : undefined,
  });
}

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

export const nonEmpty = z.string().min(1);

export const timeoutMs = z.number().int().positive().default(DEFAULT_CHANNEL_TIMEOUT_MS);
