import { z } from 'zod';
import type { Channel } from '../channel.js';
import { secretUrl, timeoutMs } from '../config-fields.js';
import { isSuccessStatus, isTransientStatus, jsonObject, JsonPoster, type HttpAnswer } from '../http-post.js';
import { urlSecrets } from '../secrets.js';
import { serviceUrl } from '../service-url.js';
import { cut } from '../../util/printable.js';
import { section } from '../../schema/fields.js';
import { quote } from '../../schema/message.js';

const DEFAULT_BASE_URL = 'https://api.telegram.org';
/** sendMessage refuses a longer text. */
const TEXT_MAX_CHARS = 4096;
/** What @BotFather hands out: the bot's numeric id, a colon, then the secret part. */
const BOT_TOKEN_PATTERN = /^\d+:[A-Za-z0-9_-]+$/;
/** A numeric chat id given as a string (groups and channels are negative), or a public channel's @username. */
const CHAT_ID_PATTERN = /^(?:-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$/;

const CHAT_ID_EXPECTED = `a chat id such as 123456789 or -1001234567890, or a channel's "@username"`;

const chatId = z
  .union([z.number(), z.string()], {
    error: (issue) => (issue.input === undefined ? `missing (expected ${CHAT_ID_EXPECTED})` : `expected ${CHAT_ID_EXPECTED}`),
  })
  .superRefine((value, ctx) => {
    const valid = typeof value === 'number' ? Number.isSafeInteger(value) && value !== 0 : CHAT_ID_PATTERN.test(value);
    if (valid) return;
    const found = typeof value === 'number' ? String(value) : quote(value);
    ctx.addIssue({ code: 'custom', input: value, message: `expected ${CHAT_ID_EXPECTED} (found ${found})` });
  });

const configSchema = section({
  type: z.literal('telegram'),
  /** Anyone with the token controls the bot: errors never show it. */
  botToken: z.string().refine((token) => BOT_TOKEN_PATTERN.test(token), {
    error: 'expected a token from @BotFather such as 123456789:AA... (the value is not shown: it is the bot\'s password)',
  }),
  chatId,
  /** A self-hosted Bot API server (telegram-bot-api) instead of the public one. */
  baseUrl: secretUrl.default(DEFAULT_BASE_URL),
  timeoutMs,
});

/**
 * Telegram bot: one sendMessage per delivery, plain text (no parse_mode, so nothing in a message can break its
 * markup), link previews off so the console link does not grow a card.
 */
export const telegramChannel = {
  type: 'telegram',
  configSchema,
  create(name, config) {
    const poster = new JsonPoster({ label: 'Telegram', timeoutMs: config.timeoutMs, secrets: [config.botToken, ...urlSecrets(config.baseUrl)] });
    const url = serviceUrl(config.baseUrl, `bot${config.botToken}/sendMessage`);
    return {
      name,
      type: 'telegram',
      async send({ message }) {
        const body = {
          chat_id: config.chatId,
          text: cut(`${message.title}\n\n${message.text}`, TEXT_MAX_CHARS),
          link_preview_options: { is_disabled: true },
        };
        checkTelegramAnswer(poster, await poster.post(url, JSON.stringify(body)));
      },
      close: () => poster.close(),
    };
  },
} satisfies Channel<typeof configSchema>;

/**
 * The Bot API answers `{"ok": true, "result": ...}`, or `{"ok": false, "error_code", "description"}` with the
 * HTTP status equal to the code (a proxy may still say 200): `ok: false` is a refusal whatever the status, and
 * its code says whether it passes (429, whose description says how long to wait, and server errors) or repeats
 * (400 chat not found, 401 bad token, 403 bot blocked or not in the chat).
 */
function checkTelegramAnswer(poster: JsonPoster, answer: HttpAnswer): void {
  const body = jsonObject(answer.body);
  if (body?.['ok'] === true && isSuccessStatus(answer.status)) return;
  if (body?.['ok'] === false) {
    const code = typeof body['error_code'] === 'number' ? body['error_code'] : answer.status;
    const description = typeof body['description'] === 'string' ? ` ${poster.quote(body['description'])}` : '';
    throw poster.failure(`${answer.host} refused the message: ${String(code)}${description}`, !isTransientStatus(code));
  }
  if (!isSuccessStatus(answer.status)) throw poster.statusFailure(answer);
  throw poster.failure(`unexpected answer from ${answer.host}: ${poster.quote(answer.body)}`, false);
}
