import { z } from 'zod';
import { timerMs } from '../schema/fields.js';
import { quote } from '../schema/message.js';

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

/** `timeoutMs` of every channel. */
export const timeoutMs = timerMs.default(DEFAULT_CHANNEL_TIMEOUT_MS);

/** `alerts@example.com`, or with a display name: `compshare-watch <alerts@example.com>`. */
const MAILBOX = /^(?:[^<>@]*<([^<>\s]+)>|([^<>\s]+))$/;
const ADDRESS = /^[^\s@<>()[\]",;:\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

function isMailbox(value: string): boolean {
  const [, named, bare] = MAILBOX.exec(value.trim()) ?? [];
  const address = named ?? bare;
  return address !== undefined && ADDRESS.test(address);
}

/** An e-mail address for `from` or `to`, checked here so a typo is a config error rather than a failed delivery. */
export const mailbox = z.string().refine(isMailbox, {
  error: (issue) => `expected an e-mail address like alerts@example.com or "Name <alerts@example.com>" (found ${quote(String(issue.input))})`,
});
