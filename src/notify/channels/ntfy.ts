import { z } from 'zod';
import { announcesAvailability, type Channel, type RenderedMessage } from '../channel.js';
import { secretUrl, timeoutMs } from '../config-fields.js';
import { isSuccessStatus, isTransientStatus, jsonObject, JsonPoster, type HttpAnswer } from '../http-post.js';
import { CONSOLE_URL } from '../render.js';
import { urlSecrets } from '../secrets.js';
import { serviceUrl } from '../service-url.js';
import { truncateUtf8 } from '../truncate.js';
import { section, text } from '../../schema/fields.js';
import { quote } from '../../schema/message.js';

/** The public server; a self-hosted one is given as `server`. */
const DEFAULT_SERVER = 'https://ntfy.sh';
/** ntfy.sh turns a longer message into an attachment, which a lock screen does not show. */
const MESSAGE_MAX_BYTES = 4096;
/** ntfy's topic names: the server refuses anything else. */
const TOPIC_PATTERN = /^[-_A-Za-z0-9]{1,64}$/;
/** ntfy's priority names (`urgent` is another name for `max`) and their numbers. */
const PRIORITY_NAMES: Readonly<Record<string, number>> = { min: 1, low: 2, default: 3, high: 4, urgent: 5, max: 5 };
const DEFAULT_PRIORITY = 3;
/** A free card is gone in minutes: its alert pops up and rings (ntfy's `high`) whatever `priority` says. */
const AVAILABLE_PRIORITY = 4;
/** An RFC 2047 encoded-word is at most 75 characters: 12 for `=?UTF-8?B?` and `?=`, 60 of base64 for 45 bytes. */
const ENCODED_WORD_BYTES = 45;

const PRIORITY_EXPECTED = `1-5 or one of ${Object.keys(PRIORITY_NAMES).join(', ')}`;

const priority = z.union([z.number(), z.string()], { error: `expected ${PRIORITY_EXPECTED}` }).transform((value, ctx) => {
  const number = typeof value === 'number' ? value : (PRIORITY_NAMES[value] ?? Number.NaN);
  if (Number.isInteger(number) && number >= 1 && number <= 5) return number;
  const found = typeof value === 'number' ? String(value) : quote(value);
  ctx.addIssue({ code: 'custom', input: value, message: `expected ${PRIORITY_EXPECTED} (found ${found})` });
  return z.NEVER;
});

const configSchema = section({
  type: z.literal('ntfy'),
  /** A self-hosted server, with a path prefix if it sits behind a reverse proxy. */
  server: secretUrl.default(DEFAULT_SERVER),
  /** On a public server anyone who knows the topic reads it: it is a password, so errors never show it. */
  topic: z.string().refine((topic) => TOPIC_PATTERN.test(topic), {
    error: 'expected 1-64 letters, digits, "-" or "_" (the value is not shown: the topic is a password)',
  }),
  /** An access token (`tk_...`) for a protected topic. */
  token: text.optional(),
  /** The priority of every message but an available alert, which is at least `high`. */
  priority: priority.default(DEFAULT_PRIORITY),
  timeoutMs,
});

/** ntfy: one push per delivery to `{server}/{topic}`, plain text with the title and priority as headers. */
export const ntfyChannel = {
  type: 'ntfy',
  configSchema,
  create(name, config) {
    const secrets = [config.topic, ...urlSecrets(config.server), ...(config.token === undefined ? [] : [config.token])];
    const poster = new JsonPoster({ label: 'ntfy', timeoutMs: config.timeoutMs, secrets });
    const url = serviceUrl(config.server, config.topic);
    return {
      name,
      type: 'ntfy',
      async send({ message }) {
        const answer = await poster.post(url, truncateUtf8(message.text, MESSAGE_MAX_BYTES), requestHeaders(message, config));
        checkNtfyAnswer(poster, answer);
      },
      close: () => poster.close(),
    };
  },
} satisfies Channel<typeof configSchema>;

/**
 * Plain text, not markdown: ntfy's apps show markdown only in the web app, so a phone would show the `###`. The
 * console link goes in `Click` for alerts a user acts on, so a tap opens the page where an instance is created.
 */
function requestHeaders(message: RenderedMessage, config: z.output<typeof configSchema>): Record<string, string> {
  const available = announcesAvailability(message);
  const headers: Record<string, string> = {
    'content-type': 'text/plain; charset=utf-8',
    title: headerText(message.title),
    priority: String(available ? Math.max(config.priority, AVAILABLE_PRIORITY) : config.priority),
  };
  if (available) headers['click'] = CONSOLE_URL;
  if (config.token !== undefined) headers['authorization'] = `Bearer ${config.token}`;
  return headers;
}

/**
 * HTTP header values are ASCII; ntfy decodes RFC 2047 encoded-words in its headers, so any other title (zh-CN)
 * goes as `=?UTF-8?B?...?=` words, each holding whole characters, separated by spaces that the decoder drops.
 */
function headerText(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  const words: string[] = [];
  let word = '';
  for (const char of value) {
    if (Buffer.byteLength(word + char) > ENCODED_WORD_BYTES) {
      words.push(word);
      word = '';
    }
    word += char;
  }
  words.push(word);
  return words.map((part) => `=?UTF-8?B?${Buffer.from(part).toString('base64')}?=`).join(' ');
}

/**
 * ntfy answers a published message with its JSON (`"event": "message"`) and a refusal with a non-2xx JSON
 * `{code, http, error}`: 429 (rate or quota limit) and server errors pass, the rest (unauthorized, forbidden,
 * bad topic) repeats until the config changes.
 */
function checkNtfyAnswer(poster: JsonPoster, answer: HttpAnswer): void {
  const body = jsonObject(answer.body);
  if (!isSuccessStatus(answer.status)) {
    const error = body?.['error'];
    if (typeof error !== 'string') throw poster.statusFailure(answer);
    const code = typeof body?.['code'] === 'number' ? ` ${String(body['code'])}` : '';
    throw poster.failure(`${answer.host} refused the message: HTTP ${answer.status}${code} ${poster.quote(error)}`, !isTransientStatus(answer.status));
  }
  if (body?.['event'] !== 'message') {
    throw poster.failure(`unexpected answer from ${answer.host}: ${poster.quote(answer.body)}`, false);
  }
}
