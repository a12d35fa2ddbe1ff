import { z } from 'zod';
import { announcesAvailability, type Channel } from '../channel.js';
import { checkBotAnswer, type BotProtocol } from '../bot-answer.js';
import { secretUrl, timeoutMs } from '../config-fields.js';
import { section, text } from '../../schema/fields.js';
import { JsonPoster } from '../http-post.js';
import { CONSOLE_URL } from '../render.js';
import { serviceUrl } from '../service-url.js';
import { truncateUtf8 } from '../truncate.js';

const DEFAULT_SERVER = 'https://api.day.app';
/** APNs refuses a payload over 4 KB, and the title, group, URL and Bark's own fields share it with the body. */
const BODY_MAX_BYTES = 3 * 1024;

const protocol: BotProtocol = {
  fields: [['code', 'message']],
  successCode: 200,
  // bark-server answers an unknown device key with HTTP 400 and code 400 (a refusal) and a failed APNs push with
  // HTTP 500 and code 500, which the status keeps transient.
  transientCodes: new Set(),
};

const configSchema = section({
  type: z.literal('bark'),
  /** The device key: the path segment after the server in the Bark app's test URL (`https://api.day.app/{key}/...`). */
  key: text,
  server: secretUrl.default(DEFAULT_SERVER),
  /** The Bark app's history groups messages by this name. */
  group: text.optional(),
  timeoutMs,
});

/**
 * Bark (iOS push) through its V2 API: POST `{server}/push` with JSON `device_key`. A free card is time-sensitive
 * (it shows through a Focus mode); everything else is an ordinary `active` notification. Tapping opens the console.
 */
export const barkChannel = {
  type: 'bark',
  configSchema,
  create(name, config) {
    const poster = new JsonPoster({ label: 'Bark', timeoutMs: config.timeoutMs, secrets: [config.key] });
    const url = serviceUrl(config.server, 'push');
    return {
      name,
      type: 'bark',
      async send({ message }) {
        const body = {
          device_key: config.key,
          title: message.title,
          body: truncateUtf8(message.text, BODY_MAX_BYTES),
          level: announcesAvailability(message) ? 'timeSensitive' : 'active',
          url: CONSOLE_URL,
          ...(config.group === undefined ? {} : { group: config.group }),
        };
        checkBotAnswer(poster, await poster.post(url, JSON.stringify(body)), protocol);
      },
      close: () => poster.close(),
    };
  },
} satisfies Channel<typeof configSchema>;
