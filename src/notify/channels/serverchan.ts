import { z } from 'zod';
import type { Channel } from '../channel.js';
import { checkBotAnswer, type BotProtocol } from '../bot-answer.js';
import { secretUrl, timeoutMs } from '../config-fields.js';
import { section, text } from '../../schema/fields.js';
import { JsonPoster } from '../http-post.js';
import { serviceUrl } from '../service-url.js';
import { cut } from '../../util/printable.js';
import { truncateUtf8 } from '../truncate.js';

/** Server酱 Turbo's API; Server酱³ keys (`sctp{uid}t...`) use `https://{uid}.push.ft07.com/send` instead. */
const DEFAULT_BASE_URL = 'https://sctapi.ftqq.com';
/** The documented limits of `title` (characters) and `desp` (32 KB). */
const TITLE_MAX_CHARS = 32;
const DESP_MAX_BYTES = 32 * 1024;

const protocol: BotProtocol = {
  fields: [['code', 'message']],
  // The docs name no "busy" or quota code: a non-zero code is a refusal (a bad SendKey, a used-up daily quota that
  // outlasts any retry of a capacity alert); HTTP 5xx, 408 and 429 stay transient.
  transientCodes: new Set(),
};

const configSchema = section({
  type: z.literal('serverchan'),
  /** The SendKey from https://sct.ftqq.com/sendkey (`SCT...`), or a Server酱³ key (`sctp...`). */
  sendKey: text,
  baseUrl: secretUrl.default(DEFAULT_BASE_URL),
  timeoutMs,
});

/** Server酱 (WeChat push): POST `{baseUrl}/{sendKey}.send` with JSON `title` and markdown `desp`; `code` 0 is delivered. */
export const serverchanChannel = {
  type: 'serverchan',
  configSchema,
  create(name, config) {
    const poster = new JsonPoster({ label: 'Server酱', timeoutMs: config.timeoutMs, secrets: [config.sendKey] });
    const url = serviceUrl(config.baseUrl, `${encodeURIComponent(config.sendKey)}.send`);
    return {
      name,
      type: 'serverchan',
      async send({ message }) {
        const body = { title: cut(message.title, TITLE_MAX_CHARS), desp: truncateUtf8(message.markdown, DESP_MAX_BYTES) };
        checkBotAnswer(poster, await poster.post(url, JSON.stringify(body)), protocol);
      },
      close: () => poster.close(),
    };
  },
} satisfies Channel<typeof configSchema>;
