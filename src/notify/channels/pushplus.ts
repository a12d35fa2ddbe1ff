import { z } from 'zod';
import type { Channel } from '../channel.js';
import { checkBotAnswer, type BotProtocol } from '../bot-answer.js';
import { secretUrl, timeoutMs } from '../config-fields.js';
import { section, text } from '../../schema/fields.js';
import { JsonPoster } from '../http-post.js';
import { serviceUrl } from '../service-url.js';
import { cut } from '../../util/printable.js';

const DEFAULT_BASE_URL = 'https://www.pushplus.plus';
/** PushPlus documents a title of at most 100 characters. */
const TITLE_MAX_CHARS = 100;

const protocol: BotProtocol = {
  fields: [['code', 'msg']],
  successCode: 200,
  // 500 is "system error, try later". 900 (account restricted for too many requests) is lasting: PushPlus asks
  // callers to stop, as retries extend the ban; 903 (invalid token), 999 (validation) and the rest are refusals.
  transientCodes: new Set([500]),
};

const configSchema = section({
  type: z.literal('pushplus'),
  /** The user token from the PushPlus site (一对一推送). */
  token: text,
  /** A group code (一对多推送): every member of the group gets the message; without it only the token's owner does. */
  topic: text.optional(),
  baseUrl: secretUrl.default(DEFAULT_BASE_URL),
  timeoutMs,
});

/** PushPlus (WeChat push): POST `{baseUrl}/send` with the token and a markdown message; `code` 200 is accepted. */
export const pushplusChannel = {
  type: 'pushplus',
  configSchema,
  create(name, config) {
    const poster = new JsonPoster({ label: 'PushPlus', timeoutMs: config.timeoutMs, secrets: [config.token] });
    const url = serviceUrl(config.baseUrl, 'send');
    return {
      name,
      type: 'pushplus',
      async send({ message }) {
        const body = {
          token: config.token,
          title: cut(message.title, TITLE_MAX_CHARS),
          content: message.markdown,
          template: 'markdown',
          ...(config.topic === undefined ? {} : { topic: config.topic }),
        };
        checkBotAnswer(poster, await poster.post(url, JSON.stringify(body)), protocol);
      },
      close: () => poster.close(),
    };
  },
} satisfies Channel<typeof configSchema>;
