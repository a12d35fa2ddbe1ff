import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from '../../src/notify/channels/index.js';
import { startHttpReceiver, type HttpReceiver, type Reply } from '../helpers/http-receiver.js';
import { deliveryError, notifierConfig, sampleMessage, testDeps } from '../helpers/notify.js';

const SENDKEY = 'SCT314159TkeyQ8w7e6r5t4y';
const ACCEPTED: Reply = { status: 200, body: { code: 0, message: '', data: { pushid: '42', readkey: 'r', error: 'SUCCESS', errno: 0 } } };

describe('serverchan channel', () => {
  let receiver: HttpReceiver;
  afterEach(async () => {
    await receiver.close();
  });

  const start = async (reply: Reply = ACCEPTED, baseUrl = (origin: string) => origin) => {
    receiver = await startHttpReceiver(() => reply);
    return createChannel('phone', notifierConfig({ type: 'serverchan', sendKey: SENDKEY, baseUrl: baseUrl(receiver.origin) }), testDeps());
  };
  const send = (channel: Awaited<ReturnType<typeof start>>, message = sampleMessage) => channel.send({ message, deliveryId: 'd' });

  it('POSTs JSON title and the markdown as desp to {baseUrl}/{sendKey}.send', async () => {
    const channel = await start();
    await send(channel);
    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`/${SENDKEY}.send`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({ title: sampleMessage.title, desp: sampleMessage.markdown });
  });

  it('keeps the path of a Server酱³ style baseUrl (https://{uid}.push.ft07.com/send), trailing slash or not', async () => {
    const channel = await start(ACCEPTED, (origin) => `${origin}/send/`);
    await send(channel);
    expect(receiver.requests[0]?.url).toBe(`/send/${SENDKEY}.send`);
  });

  it('cuts the title to Server酱 32 characters and desp to 32 KB, marking each cut', async () => {
    const channel = await start();
    const title = '4090 有货: 4090-wlcb 1卡16核64G 和另外 3 个规格也有货了';
    const markdown = '有货'.repeat(10_000);
    await send(channel, { ...sampleMessage, title, markdown });
    const body = JSON.parse(receiver.requests[0]?.body ?? '') as { title: string; desp: string };
    expect([...body.title]).toHaveLength(32);
    expect(body.title).toBe(`${[...title].slice(0, 31).join('')}…`);
    expect(Buffer.byteLength(body.desp)).toBeLessThanOrEqual(32 * 1024);
    expect(body.desp).toMatch(/^(有货)+有?…$/);
  });

  it('takes a 200 answer with a non-zero code as a refusal quoting the message, without the SendKey', async () => {
    const channel = await start({ status: 200, body: { code: 40001, message: `bad pushtoken ${SENDKEY}`, data: null } });
    const error = await deliveryError(send(channel));
    expect(error.permanent).toBe(true);
    expect(error.message).toBe(`Server酱: ${new URL(receiver.origin).host} refused the message: 40001 bad pushtoken [redacted]`);
  });

  it.each([
    ['HTTP 503', { status: 503, body: 'Service Unavailable' }],
    ['HTTP 429 with a code', { status: 429, body: { code: 40001, message: 'slow down' } }],
    ['a 200 that is not its JSON', { status: 200, body: '<html>captive portal</html>' }],
  ])('takes %s as transient', async (_label, reply) => {
    const channel = await start(reply);
    const error = await deliveryError(send(channel));
    expect(error.permanent).toBe(false);
    expect(error.message).not.toContain(SENDKEY);
  });
});
