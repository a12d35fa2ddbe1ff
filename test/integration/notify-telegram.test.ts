import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from '../../src/notify/channels/index.js';
import { startHttpReceiver, type HttpReceiver, type Reply } from '../helpers/http-receiver.js';
import { deliveryError, notifierConfig, sampleMessage, testDeps } from '../helpers/notify.js';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const SENT: Reply = { status: 200, body: { ok: true, result: { message_id: 42, chat: { id: 123456789, type: 'private' }, date: 1795000000 } } };

describe('telegram channel', () => {
  let receiver: HttpReceiver;
  afterEach(async () => {
    await receiver.close();
  });

  const start = async (extra: Record<string, unknown> = {}, reply: Reply = SENT) => {
    receiver = await startHttpReceiver(() => reply);
    const config = notifierConfig({ type: 'telegram', botToken: TOKEN, chatId: 123456789, baseUrl: receiver.origin, ...extra });
    return createChannel('tg', config, testDeps());
  };
  const sentBody = (index = 0) => JSON.parse(receiver.requests[index]?.body ?? '') as Record<string, unknown>;

  it('POSTs sendMessage to /bot{token}/ with the chat, the title and text as plain text, and no link preview', async () => {
    const channel = await start();
    await channel.send({ message: sampleMessage, deliveryId: 'd' });
    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`/bot${TOKEN}/sendMessage`);
    expect(request?.headers['content-type']).toBe('application/json');
    // Exactly these fields: no parse_mode, so nothing in a message is read as markup.
    expect(sentBody()).toEqual({
      chat_id: 123456789,
      text: `${sampleMessage.title}\n\n${sampleMessage.text}`,
      link_preview_options: { is_disabled: true },
    });
  });

  it.each([['@compshare_alerts'], ['-1001234567890'], [-1001234567890]])('sends chat id %j as given', async (chatId) => {
    const channel = await start({ chatId });
    await channel.send({ message: sampleMessage, deliveryId: 'd' });
    expect(sentBody().chat_id).toEqual(chatId);
  });

  it('cuts the text to 4096 characters (an emoji is one) and marks the cut', async () => {
    const channel = await start();
    await channel.send({ message: { ...sampleMessage, text: '🚀有货'.repeat(2000) }, deliveryId: 'd' });
    const text = String(sentBody().text);
    expect([...text]).toHaveLength(4096);
    expect(text.endsWith('…')).toBe(true);
    expect(text.startsWith(sampleMessage.title)).toBe(true);
  });

  it.each([
    [200, 400, 'Bad Request: chat not found', true],
    [400, 400, 'Bad Request: message text is empty', true],
    [401, 401, 'Unauthorized', true],
    [403, 403, 'Forbidden: bot was blocked by the user', true],
    [404, 404, 'Not Found', true],
    [500, 500, 'Internal Server Error', false],
    [502, 502, 'Bad Gateway', false],
  ])('takes ok:false (HTTP %i, error_code %i) as a refusal quoting the description', async (status, errorCode, description, permanent) => {
    const channel = await start({}, { status, body: { ok: false, error_code: errorCode, description } });
    const error = await deliveryError(channel.send({ message: sampleMessage, deliveryId: 'd' }));
    expect(error.message).toBe(`Telegram: ${new URL(receiver.origin).host} refused the message: ${errorCode} ${description}`);
    expect(error.permanent).toBe(permanent);
  });

  it('takes a flood limit (429 with retry_after) as passing, with the wait Telegram asked for', async () => {
    const body = { ok: false, error_code: 429, description: 'Too Many Requests: retry after 35', parameters: { retry_after: 35 } };
    const channel = await start({}, { status: 429, body });
    const error = await deliveryError(channel.send({ message: sampleMessage, deliveryId: 'd' }));
    expect(error.message).toBe(`Telegram: ${new URL(receiver.origin).host} refused the message: 429 Too Many Requests: retry after 35`);
    expect(error.permanent).toBe(false);
  });

  it.each([
    ['an HTML error page', { status: 502, body: '<html>502 Bad Gateway</html>' }, 'HTTP 502 from HOST: <html>502 Bad Gateway</html>'],
    ['a 200 without ok', { status: 200, body: { result: {} } }, 'unexpected answer from HOST: {"result":{}}'],
  ])('takes %s as a passing failure', async (_kind, reply, said) => {
    const channel = await start({}, reply);
    const error = await deliveryError(channel.send({ message: sampleMessage, deliveryId: 'd' }));
    expect(error.message).toBe(`Telegram: ${said.replace('HOST', new URL(receiver.origin).host)}`);
    expect(error.permanent).toBe(false);
  });

  it('never shows the bot token, even when the answer echoes the request URL', async () => {
    const channel = await start({}, { status: 401, body: { ok: false, error_code: 401, description: `Unauthorized: /bot${TOKEN}/sendMessage` } });
    const error = await deliveryError(channel.send({ message: sampleMessage, deliveryId: 'd' }));
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).not.toContain(TOKEN.split(':')[1]);
    expect(error.message).toContain('[redacted]');
  });
});
