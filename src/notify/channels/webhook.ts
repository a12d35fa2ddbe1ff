import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { Channel } from '../channel.js';
import { secretUrl, timeoutMs } from '../config-fields.js';
import { section, text } from '../../config/fields.js';
import { JsonPoster, isSuccessStatus } from '../http-post.js';
import { headerSecrets, urlSecrets } from '../secrets.js';

/** Carries the delivery id, the same on every redelivery, so a receiver can drop duplicates. */
const DELIVERY_HEADER = 'x-compshare-watch-delivery';
/** `sha256=<hex HMAC-SHA256 of the exact body, keyed by the secret>`. */
const SIGNATURE_HEADER = 'x-compshare-watch-signature';

const configSchema = section({
  type: z.literal('webhook'),
  url: secretUrl,
  /** Sent with every request (e.g. an Authorization header); they cannot replace the two headers above. */
  headers: z.record(z.string().min(1), z.string()).default(() => ({})),
  /** With a secret, each request carries the signature header so the receiver can check where it came from. */
  secret: text.optional(),
  timeoutMs,
});

/** Any HTTP endpoint: POST `{event, events, title, text}` as JSON; any 2xx answer is acceptance. */
export const webhookChannel = {
  type: 'webhook',
  configSchema,
  create(name, config) {
    // Header names are case-insensitive; lower-case them so a user's Content-Type replaces ours instead of doubling.
    const headers = Object.fromEntries(Object.entries(config.headers).map(([key, value]) => [key.toLowerCase(), value]));
    const secrets = [...urlSecrets(config.url), ...Object.values(headers).flatMap(headerSecrets), ...(config.secret === undefined ? [] : [config.secret])];
    const poster = new JsonPoster({ label: 'webhook', timeoutMs: config.timeoutMs, secrets });
    return {
      name,
      type: 'webhook',
      async send({ message, deliveryId }) {
        const body = JSON.stringify({ event: message.events[0], events: message.events, title: message.title, text: message.text });
        const requestHeaders: Record<string, string> = { ...headers, [DELIVERY_HEADER]: deliveryId };
        if (config.secret !== undefined) requestHeaders[SIGNATURE_HEADER] = signature(config.secret, body);
        const answer = await poster.post(config.url, body, requestHeaders);
        if (!isSuccessStatus(answer.status)) throw poster.statusFailure(answer);
      },
      close: () => poster.close(),
    };
  },
} satisfies Channel<typeof configSchema>;

function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
