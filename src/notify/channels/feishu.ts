import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { Channel } from '../channel.js';
import { checkBotAnswer, type BotProtocol } from '../bot-answer.js';
import { secretUrl, timeoutMs } from '../config-fields.js';
import { section, text } from '../../schema/fields.js';
import { JsonPoster } from '../http-post.js';
import { urlSecrets } from '../secrets.js';

const protocol: BotProtocol = {
  fields: [
    ['code', 'msg'],
    ['StatusCode', 'StatusMessage'],
  ],
  // 9499 and 11232 are rate limits; 19021 (sign mismatch), 19024 (keyword) and the rest are refusals.
  transientCodes: new Set([9499, 11232]),
};

const configSchema = section({
  type: z.literal('feishu'),
  /** The bot's webhook URL, token included: https://open.feishu.cn/open-apis/bot/v2/hook/... */
  url: secretUrl,
  /** The secret of the bot's 签名校验 security setting; without it no signature is sent. */
  secret: text.optional(),
  timeoutMs,
});

/**
 * The signature Feishu checks: HMAC-SHA256 keyed by "timestamp\nsecret" over an empty message, base64; the
 * timestamp is in seconds and must be within an hour of Feishu's clock.
 */
function feishuSignature(secret: string, timestampSeconds: number): { timestamp: string; sign: string } {
  const sign = createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
  return { timestamp: String(timestampSeconds), sign };
}

/** 飞书 custom bot: a text message (Feishu's text has no title, so the title leads the text). */
export const feishuChannel = {
  type: 'feishu',
  configSchema,
  create(name, config) {
    const secrets = [...urlSecrets(config.url), ...(config.secret === undefined ? [] : [config.secret])];
    const poster = new JsonPoster({ label: 'Feishu', timeoutMs: config.timeoutMs, secrets });
    return {
      name,
      type: 'feishu',
      async send({ message }) {
        const signature =
          config.secret === undefined ? {} : feishuSignature(config.secret, Math.floor(Date.now() / 1000));
        const body = { ...signature, msg_type: 'text', content: { text: `${message.title}\n\n${message.text}` } };
        checkBotAnswer(poster, await poster.post(config.url, JSON.stringify(body)), protocol);
      },
      close: () => poster.close(),
    };
  },
} satisfies Channel<typeof configSchema>;
