import { z } from 'zod';
import type { Channel } from '../channel.js';
import { checkBotAnswer, type BotProtocol } from '../bot-answer.js';
import { secretUrl, timeoutMs } from '../config-fields.js';
import { section } from '../../schema/fields.js';
import { JsonPoster } from '../http-post.js';
import { truncateUtf8 } from '../truncate.js';
import { urlSecrets } from '../secrets.js';

/** WeCom refuses markdown content longer than this many UTF-8 bytes. */
const MARKDOWN_MAX_BYTES = 4096;

const protocol: BotProtocol = {
  fields: [['errcode', 'errmsg']],
  // -1 system busy, 45009 rate limit, 45033 too many concurrent calls; 93000 (bad key) and the rest are refusals.
  transientCodes: new Set([-1, 45009, 45033]),
};

const configSchema = section({
  type: z.literal('wecom'),
  /** The robot's full webhook URL, key included: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=... */
  url: secretUrl,
  timeoutMs,
});

/** 企业微信 group robot: one markdown message per delivery. */
export const wecomChannel = {
  type: 'wecom',
  configSchema,
  create(name, config) {
    const poster = new JsonPoster({ label: 'WeCom', timeoutMs: config.timeoutMs, secrets: urlSecrets(config.url) });
    return {
      name,
      type: 'wecom',
      async send({ message }) {
        const content = truncateUtf8(message.markdown, MARKDOWN_MAX_BYTES);
        const answer = await poster.post(config.url, JSON.stringify({ msgtype: 'markdown', markdown: { content } }));
        checkBotAnswer(poster, answer, protocol);
      },
      close: () => poster.close(),
    };
  },
} satisfies Channel<typeof configSchema>;
