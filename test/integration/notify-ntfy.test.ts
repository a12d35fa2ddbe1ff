import { afterEach, describe, expect, it } from 'vitest';
import type { RenderedMessage } from '../../src/notify/channel.js';
import { createChannel } from '../../src/notify/channels/index.js';
import { CONSOLE_URL } from '../../src/notify/render.js';
import { startHttpReceiver, type HttpReceiver, type Reply } from '../helpers/http-receiver.js';
import { deliveryError, notifierConfig, sampleMessage, testDeps } from '../helpers/notify.js';

const TOPIC = 'compshare-alerts-7f3e9a1c';
const TOKEN = 'tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2';
const PUBLISHED: Reply = { status: 200, body: { id: 'sPs71M8A2T', time: 1795000000, expires: 1795043200, event: 'message', topic: TOPIC } };

const soldOut: RenderedMessage = {
  ...sampleMessage,
  title: '4090 sold out: 4090-wlcb 1 GPU',
  events: sampleMessage.events.map((event) => ({ ...event, type: 'capacity.soldout' })),
};

/** Decodes the RFC 2047 `=?UTF-8?B?...?=` words of a header the way ntfy does (the spaces between words drop). */
function decodeWords(header: string): string {
  const words = header.split(' ');
  for (const word of words) expect(word).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
  return words.map((word) => Buffer.from(word.slice(10, -2), 'base64').toString('utf8')).join('');
}

describe('ntfy channel', () => {
  let receiver: HttpReceiver;
  afterEach(async () => {
    await receiver.close();
  });

  const start = async (extra: Record<string, unknown> = {}, reply: Reply = PUBLISHED) => {
    receiver = await startHttpReceiver(() => reply);
    return createChannel('phone', notifierConfig({ type: 'ntfy', server: receiver.origin, topic: TOPIC, ...extra }), testDeps());
  };
  const sent = () => {
    const [request] = receiver.requests;
    if (request === undefined) throw new Error('nothing reached the receiver');
    return request;
  };

  it('POSTs the plain text to /{topic} with the title, priority, console link and access token as headers', async () => {
    const channel = await start({ token: TOKEN });
    await channel.send({ message: sampleMessage, deliveryId: 'd' });
    const request = sent();
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`/${TOPIC}`);
    expect(request.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(decodeWords(String(request.headers['title']))).toBe(sampleMessage.title);
    expect(request.headers['priority']).toBe('4');
    expect(request.headers['click']).toBe(CONSOLE_URL);
    expect(request.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(request.headers['markdown']).toBeUndefined();
    expect(request.body).toBe(sampleMessage.text);
  });

  it('sends no Authorization without a token, and keeps a path prefix of a self-hosted server', async () => {
    receiver = await startHttpReceiver(() => PUBLISHED);
    const config = notifierConfig({ type: 'ntfy', server: `${receiver.origin}/ntfy/`, topic: TOPIC });
    await createChannel('phone', config, testDeps()).send({ message: soldOut, deliveryId: 'd' });
    expect(sent().url).toBe(`/ntfy/${TOPIC}`);
    expect(sent().headers['authorization']).toBeUndefined();
  });

  it.each([
    ['unset', undefined, '4', '3'],
    ['low', 'low', '4', '2'],
    ['urgent', 'urgent', '5', '5'],
    ['2', 2, '4', '2'],
    ['max', 'max', '5', '5'],
  ])('priority %s: an available alert goes at %s, a sold-out one at %s', async (_name, priority, available, other) => {
    const channel = await start(priority === undefined ? {} : { priority });
    await channel.send({ message: sampleMessage, deliveryId: 'a' });
    await channel.send({ message: soldOut, deliveryId: 's' });
    expect(receiver.requests.map((request) => request.headers['priority'])).toEqual([available, other]);
    // Only an alert to act on opens the console when tapped.
    expect(receiver.requests.map((request) => request.headers['click'])).toEqual([CONSOLE_URL, undefined]);
  });

  it('sends an ASCII title as is, and a long zh-CN one as encoded-words of whole characters within 75 characters each', async () => {
    const channel = await start();
    await channel.send({ message: soldOut, deliveryId: 'd' });
    expect(sent().headers['title']).toBe(soldOut.title);

    const title = `${'有货'.repeat(30)}: 4090-wlcb 1卡16核64G 🚀`;
    await channel.send({ message: { ...sampleMessage, title }, deliveryId: 'e' });
    const header = String(receiver.requests[1]?.headers['title']);
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    const words = header.split(' ');
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) {
      expect(word.length).toBeLessThanOrEqual(75);
      expect(Buffer.from(word.slice(10, -2), 'base64').toString('utf8')).not.toContain('\ufffd');
    }
    expect(decodeWords(header)).toBe(title);
  });

  it('keeps the body within ntfy.sh 4096 bytes, cut at a character and marked', async () => {
    const channel = await start();
    await channel.send({ message: { ...sampleMessage, text: '监控有货了。'.repeat(400) }, deliveryId: 'd' });
    const body = sent().body;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(body)).toBeGreaterThan(4090);
    expect(body.endsWith('…')).toBe(true);
    expect(body).not.toContain('\ufffd');
  });

  it.each([
    [401, { code: 40101, http: 401, error: 'unauthorized', link: 'https://ntfy.sh/docs/publish/#authentication' }, 'HTTP 401 40101 unauthorized', true],
    [403, { code: 40301, http: 403, error: 'forbidden' }, 'HTTP 403 40301 forbidden', true],
    [400, { code: 40010, http: 400, error: 'invalid request: topic invalid' }, 'HTTP 400 40010 invalid request: topic invalid', true],
    [429, { code: 42901, http: 429, error: 'limit reached: too many requests' }, 'HTTP 429 42901 limit reached: too many requests', false],
    [507, { code: 50701, http: 507, error: 'insufficient storage' }, 'HTTP 507 50701 insufficient storage', false],
  ])('takes HTTP %i with ntfy error JSON as a refusal quoting it', async (status, body, said, permanent) => {
    const channel = await start({ token: TOKEN }, { status, body });
    const error = await deliveryError(channel.send({ message: sampleMessage, deliveryId: 'd' }));
    expect(error.message).toBe(`ntfy: ${new URL(receiver.origin).host} refused the message: ${said}`);
    expect(error.permanent).toBe(permanent);
  });

  it('takes a 200 that is not a published message (a captive portal, a proxy) as a passing failure', async () => {
    const channel = await start({}, { status: 200, body: '<html>login</html>' });
    const error = await deliveryError(channel.send({ message: sampleMessage, deliveryId: 'd' }));
    expect(error.message).toBe(`ntfy: unexpected answer from ${new URL(receiver.origin).host}: <html>login</html>`);
    expect(error.permanent).toBe(false);
  });

  it('never shows the topic or the token, even when the server echoes them', async () => {
    const channel = await start({ token: TOKEN }, { status: 403, body: { code: 40301, http: 403, error: `forbidden: ${TOPIC} with Bearer ${TOKEN}` } });
    const error = await deliveryError(channel.send({ message: sampleMessage, deliveryId: 'd' }));
    expect(error.message).not.toContain(TOPIC);
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).toContain('[redacted]');
  });
});
