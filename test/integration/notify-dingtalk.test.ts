import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from '../../src/notify/channels/index.js';
import { startHttpReceiver, type HttpReceiver, type Reply } from '../helpers/http-receiver.js';
import { deliveryError, notifierConfig, sampleMessage, testDeps } from '../helpers/notify.js';

const TOKEN = 'dingtalk-access-token-0123456789';
const SECRET = 'SEC5f0e8a61c1d94d9b9b2d7a1b0e2f3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';

describe('dingtalk channel', () => {
  let receiver: HttpReceiver;
  afterEach(async () => {
    await receiver.close();
  });

  const start = async (extra: Record<string, unknown> = {}, reply: Reply = { status: 200, body: { errcode: 0, errmsg: 'ok' } }) => {
    receiver = await startHttpReceiver(() => reply);
    const config = notifierConfig({ type: 'dingtalk', url: `${receiver.origin}/robot/send?access_token=${TOKEN}`, ...extra });
    return createChannel('ding', config, testDeps());
  };

  it('POSTs a markdown message (title for the chat list, the markdown as text) to the URL as given', async () => {
    const channel = await start();
    await channel.send({ message: sampleMessage, deliveryId: 'd' });
    const [request] = receiver.requests;
    expect(request?.url).toBe(`/robot/send?access_token=${TOKEN}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      msgtype: 'markdown',
      markdown: { title: sampleMessage.title, text: sampleMessage.markdown },
    });
  });

  it('with a secret, adds timestamp (ms) and the URL-encoded base64 HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret', async () => {
    const channel = await start({ secret: SECRET });
    const before = Date.now();
    await channel.send({ message: sampleMessage, deliveryId: 'd' });
    const after = Date.now();
    const rawQuery = (receiver.requests[0]?.url ?? '').split('?')[1] ?? '';
    const query = new URLSearchParams(rawQuery);
    expect(query.get('access_token')).toBe(TOKEN);
    const timestamp = Number(query.get('timestamp'));
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(after);
    const expected = createHmac('sha256', SECRET).update(`${timestamp}\n${SECRET}`).digest('base64');
    expect(query.get('sign')).toBe(expected);
    // Base64's + / = must arrive percent-encoded, or DingTalk reads a different sign.
    expect(rawQuery).toContain(`sign=${encodeURIComponent(expected)}`);
  });

  it.each([
    [130101, 'send too fast, exceed 20 times per minute', false],
    [410100, 'send too fast', false],
    [-1, 'system busy', false],
    [310000, 'sign not match', true],
    [300001, 'token is not exist', true],
  ])('takes errcode %i as a failure with its errmsg, permanent: %s', async (errcode, errmsg, permanent) => {
    const channel = await start({}, { status: 200, body: { errcode, errmsg } });
    const error = await deliveryError(channel.send({ message: sampleMessage, deliveryId: 'd' }));
    expect(error.permanent).toBe(permanent);
    expect(error.message).toBe(`DingTalk: ${new URL(receiver.origin).host} refused the message: ${errcode} ${errmsg}`);
  });
});
