import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from '../../src/notify/channels/index.js';
import { startHttpReceiver, type HttpReceiver, type Reply } from '../helpers/http-receiver.js';
import { deliveryError, notifierConfig, sampleMessage, testDeps } from '../helpers/notify.js';

const TOKEN = '0123456789abcdef0123456789abcdef';
const ACCEPTED: Reply = { status: 200, body: { code: 200, msg: '请求成功', data: 'f3a9c1' } };

describe('pushplus channel', () => {
  let receiver: HttpReceiver;
  afterEach(async () => {
    await receiver.close();
  });

  const start = async (reply: Reply = ACCEPTED, extra: Record<string, unknown> = {}) => {
    receiver = await startHttpReceiver(() => reply);
    return createChannel('wechat', notifierConfig({ type: 'pushplus', token: TOKEN, baseUrl: receiver.origin, ...extra }), testDeps());
  };
  const send = (channel: Awaited<ReturnType<typeof start>>, message = sampleMessage) => channel.send({ message, deliveryId: 'd' });

  it('POSTs JSON {token, title, content, template: markdown} to {baseUrl}/send', async () => {
    const channel = await start();
    await send(channel);
    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/send');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({ token: TOKEN, title: sampleMessage.title, content: sampleMessage.markdown, template: 'markdown' });
  });

  it('sends to the group named by topic', async () => {
    const channel = await start(ACCEPTED, { topic: 'gpu-hunters' });
    await send(channel);
    expect(JSON.parse(receiver.requests[0]?.body ?? '')).toMatchObject({ token: TOKEN, topic: 'gpu-hunters' });
  });

  it('cuts the title to the documented 100 characters', async () => {
    const channel = await start();
    await send(channel, { ...sampleMessage, title: '有'.repeat(150) });
    const { title } = JSON.parse(receiver.requests[0]?.body ?? '') as { title: string };
    expect(title).toBe(`${'有'.repeat(99)}…`);
  });

  it.each([
    [500, '系统异常，请稍后再试', false],
    [900, '用户账号使用受限', true],
    [903, '无效的用户令牌', true],
    [999, '服务端验证错误', true],
  ])('takes code %i in a 200 answer as a failure with its msg, permanent: %s', async (code, msg, permanent) => {
    const channel = await start({ status: 200, body: { code, msg, data: null } });
    const error = await deliveryError(send(channel));
    expect(error.permanent).toBe(permanent);
    expect(error.message).toBe(`PushPlus: ${new URL(receiver.origin).host} refused the message: ${code} ${msg}`);
  });

  it('never shows the token, even when the answer quotes the request', async () => {
    receiver = await startHttpReceiver((request) => ({ status: 200, body: { code: 999, msg: `bad request ${request.body}` } }));
    const channel = createChannel('wechat', notifierConfig({ type: 'pushplus', token: TOKEN, baseUrl: receiver.origin }), testDeps());
    const error = await deliveryError(send(channel));
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(TOKEN);
  });

  it('takes a 200 answer that is not its JSON as transient', async () => {
    const channel = await start({ status: 200, body: 'ok' });
    expect((await deliveryError(send(channel))).permanent).toBe(false);
  });
});
