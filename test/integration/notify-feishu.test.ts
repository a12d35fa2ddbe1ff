import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from '../../src/notify/channels/index.js';
import { startHttpReceiver, type HttpReceiver, type Reply } from '../helpers/http-receiver.js';
import { deliveryError, notifierConfig, sampleMessage, testDeps } from '../helpers/notify.js';

const TOKEN = '2f9c1e7d-aaaa-bbbb-cccc-0123456789ab';
const SECRET = 'qs8D2kXbYl9hPzR3vN7w';

describe('feishu channel', () => {
  let receiver: HttpReceiver;
  afterEach(async () => {
    await receiver.close();
  });

  const start = async (extra: Record<string, unknown> = {}, reply: Reply = { status: 200, body: { code: 0, msg: 'success', data: {} } }) => {
    receiver = await startHttpReceiver(() => reply);
    const config = notifierConfig({ type: 'feishu', url: `${receiver.origin}/open-apis/bot/v2/hook/${TOKEN}`, ...extra });
    return createChannel('lark', config, testDeps());
  };

  it('POSTs a text message, title first, without signature fields when there is no secret', async () => {
    const channel = await start();
    await channel.send({ message: sampleMessage, deliveryId: 'd' });
    const [request] = receiver.requests;
    expect(request?.url).toBe(`/open-apis/bot/v2/hook/${TOKEN}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      msg_type: 'text',
      content: { text: `${sampleMessage.title}\n\n${sampleMessage.text}` },
    });
  });

  it('with a secret, puts timestamp (s) and the base64 HMAC-SHA256 keyed by "timestamp\\nsecret" over nothing in the body', async () => {
    const channel = await start({ secret: SECRET });
    const before = Math.floor(Date.now() / 1000);
    await channel.send({ message: sampleMessage, deliveryId: 'd' });
    const after = Math.floor(Date.now() / 1000);
    const body = JSON.parse(receiver.requests[0]?.body ?? '') as Record<string, unknown>;
    expect(typeof body.timestamp).toBe('string');
    const timestamp = Number(body.timestamp);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(after);
    expect(body.sign).toBe(createHmac('sha256', `${timestamp}\n${SECRET}`).update('').digest('base64'));
    expect(body).toMatchObject({ msg_type: 'text', content: { text: `${sampleMessage.title}\n\n${sampleMessage.text}` } });
  });

  it('accepts the older StatusCode answer', async () => {
    const channel = await start({}, { status: 200, body: { Extra: null, StatusCode: 0, StatusMessage: 'success' } });
    await expect(channel.send({ message: sampleMessage, deliveryId: 'd' })).resolves.toBeUndefined();
  });

  it.each([
    [200, { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' }, true],
    [400, { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' }, true],
    [200, { code: 19024, msg: 'Key Words Not Found' }, true],
    [200, { code: 9499, msg: 'too many request' }, false],
    [200, { code: 11232, msg: 'frequency limited' }, false],
    [200, { StatusCode: 11232, StatusMessage: 'frequency limited' }, false],
  ])('takes HTTP %i %j as a failure with its message, permanent: %s', async (status, answer, permanent) => {
    const channel = await start({}, { status, body: answer });
    const error = await deliveryError(channel.send({ message: sampleMessage, deliveryId: 'd' }));
    expect(error.permanent).toBe(permanent);
    const [code, msg] = Object.values(answer).filter((value) => value !== null);
    expect(error.message).toBe(`Feishu: ${new URL(receiver.origin).host} refused the message: ${String(code)} ${String(msg)}`);
  });
});
