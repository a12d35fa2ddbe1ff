import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from '../../src/notify/channels/index.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';
import { deliveryError, notifierConfig, sampleMessage, testDeps } from '../helpers/notify.js';

describe('webhook channel', () => {
  let receiver: HttpReceiver;
  afterEach(async () => {
    await receiver.close();
  });

  const channel = (extra: Record<string, unknown> = {}) =>
    createChannel('hook', notifierConfig({ type: 'webhook', url: `${receiver.origin}/hooks/alerts?team=gpu`, ...extra }), testDeps());

  it('POSTs {event, events, title, text} as JSON with the delivery id header', async () => {
    receiver = await startHttpReceiver();
    await channel().send({ message: sampleMessage, deliveryId: 'delivery-7' });
    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/hooks/alerts?team=gpu');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['x-compshare-watch-delivery']).toBe('delivery-7');
    expect(request?.headers['x-compshare-watch-signature']).toBeUndefined();
    expect(JSON.parse(request?.body ?? '')).toEqual({
      event: sampleMessage.events[0],
      events: sampleMessage.events,
      title: sampleMessage.title,
      text: sampleMessage.text,
    });
  });

  it('signs the exact body with HMAC-SHA256 of the secret', async () => {
    receiver = await startHttpReceiver();
    await channel({ secret: 's3cret' }).send({ message: sampleMessage, deliveryId: 'd' });
    const [request] = receiver.requests;
    const expected = createHmac('sha256', 's3cret').update(request?.body ?? '').digest('hex');
    expect(request?.headers['x-compshare-watch-signature']).toBe(`sha256=${expected}`);
  });

  it('sends the configured headers; they replace ours by name, whatever their case, but not the delivery id', async () => {
    receiver = await startHttpReceiver();
    const headers = { Authorization: 'Bearer t0ken', 'Content-Type': 'application/json; charset=utf-8', 'X-Compshare-Watch-Delivery': 'forged' };
    await channel({ headers }).send({ message: sampleMessage, deliveryId: 'real' });
    const [request] = receiver.requests;
    expect(request?.headers.authorization).toBe('Bearer t0ken');
    expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request?.headers['x-compshare-watch-delivery']).toBe('real');
  });

  it.each([200, 201, 202, 204])('takes HTTP %i as accepted', async (status) => {
    receiver = await startHttpReceiver(() => ({ status, body: '' }));
    await expect(channel().send({ message: sampleMessage, deliveryId: 'd' })).resolves.toBeUndefined();
  });

  it.each([
    [400, true],
    [401, true],
    [404, true],
    [410, true],
    [301, true],
    [408, false],
    [429, false],
    [500, false],
    [502, false],
    [503, false],
  ])('takes HTTP %i as a failure, permanent: %s, quoting the answer', async (status, permanent) => {
    receiver = await startHttpReceiver(() => ({ status, body: 'the reason' }));
    const error = await deliveryError(channel().send({ message: sampleMessage, deliveryId: 'd' }));
    expect(error.permanent).toBe(permanent);
    expect(error.message).toBe(`webhook: HTTP ${status} from ${new URL(receiver.origin).host}: the reason`);
  });

  it('gives up waiting after timeoutMs, as a transient failure', async () => {
    receiver = await startHttpReceiver(() => undefined);
    const started = Date.now();
    const error = await deliveryError(channel({ timeoutMs: 1_000 }).send({ message: sampleMessage, deliveryId: 'd' }));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error.permanent).toBe(false);
    expect(error.message).toBe(`webhook: no answer from ${new URL(receiver.origin).host} within 1s`);
  });
});
