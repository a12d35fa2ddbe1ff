import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { Channel } from '../channel.js';
import { checkBotAnswer, type BotProtocol } from '../bot-answer.js';
import { secretUrl, timeoutMs } from '../config-fields.js';
import { section, text } from '../../schema/fields.js';
import { JsonPoster } from '../http-post.js';
import { urlSecrets } from '../secrets.js';

const protocol: BotProtocol = {
  fields: [['errcode', 'errmsg']],
  // -1 system busy, 130101 and 410100 sending too fast; 310000 (sign, keyword or IP check) and the rest are refusals.
  transientCodes: new Set([-1, 130101, 410100]),
};

const configSchema = section({
  type: z.literal('dingtalk'),
  /** The robot's webhook URL, access_token included: https://oapi.dingtalk.com/robot/send?access_token=... */
  url: secretUrl,
  /** The `SEC...` secret of the robot's 加签 security setting; without it the URL is used as is. */
  secret: text.optional(),
  timeoutMs,
});

/**
 * The 加签 query DingTalk checks: HMAC-SHA256 keyed by the secret over "timestamp\nsecret", base64, URL-encoded;
 * the timestamp (ms) must be within an hour of DingTalk's clock.
 */
function dingtalkSignedUrl(url: string, secret: string, timestampMs: number): string {
  const sign = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
  const signed = new URL(url);
  signed.searchParams.set('timestamp', String(timestampMs));
  signed.searchParams.set('sign', sign);
  return signed.toString();
}

/** 钉钉 custom robot: one markdown message per delivery; `title` is what the conversation list shows. */
export const dingtalkChannel = {
  type: 'dingtalk',
  configSchema,
  create(name, config) {
    const secrets = [...urlSecrets(config.url), ...(config.secret === undefined ? [] : [config.secret])];
    const poster = new JsonPoster({ label: 'DingTalk', timeoutMs: config.timeoutMs, secrets });
    return {
      name,
      type: 'dingtalk',
      async send({ message }) {
        const url = config.secret === undefined ? config.url : dingtalkSignedUrl(config.url, config.secret, Date.now());
        const body = { msgtype: 'markdown', markdown: { title: message.title, text: message.markdown } };
        checkBotAnswer(poster, await poster.post(url, JSON.stringify(body)), protocol);
      },
      close: () => poster.close(),
    };
  },
} satisfies Channel<typeof configSchema>;
