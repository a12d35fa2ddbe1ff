import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from '../../src/notify/channels/index.js';
import { CONSOLE_URL } from '../../src/notify/render.js';
import { startHttpReceiver, type HttpReceiver, type Reply } from '../helpers/http-receiver.js';
import { deliveryError, notifierConfig, sampleMessage, testDeps } from '../helpers/notify.js';

const KEY = 'ynJ5Ft4atkMkWeo2PAvFhF';
const ACCEPTED: Reply = { status: 200, body: { code: 200, message: 'success', timestamp: 1795000000 } };

const soldOut = {
  ...sampleMessage,
  title: '4090 售罄: 4090-wlcb 1卡16核64G',
  events: [{ id: 'capacity.soldout:4090-wlcb:1-16-64:1795000600000', type: 'capacity.soldout', payload: { watch: '4090-wlcb' } }],
};

describe('bark channel', () => {
  let receiver: HttpReceiver;
  afterEach(async () => {
    await receiver.close();
  });

  const start = async (reply: Reply = ACCEPTED, extra: Record<string, unknown> = {}) => {
    receiver = await startHttpReceiver(() => reply);
    return createChannel('iphone', notifierConfig({ type: 'bark', key: KEY, server: receiver.origin, ...extra }), testDeps());
  };
  const send = (channel: Awaited<ReturnType<typeof start>>, message = sampleMessage) => channel.send({ message, deliveryId: 'd' });
  const sentBody = (index = 0) => JSON.parse(receiver.requests[index]?.body ?? '') as Record<string, unknown>;

  it('POSTs an available alert to {server}/push as a time-sensitive notification that opens the console', async () => {
    const channel = await start();
    await send(channel);
    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/push');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(sentBody()).toEqual({ device_key: KEY, title: sampleMessage.title, body: sampleMessage.text, level: 'timeSensitive', url: CONSOLE_URL });
  });

  it('sends other messages at the ordinary active level, in the configured group', async () => {
    const channel = await start(ACCEPTED, { group: 'compshare' });
    await send(channel, soldOut);
    expect(sentBody()).toMatchObject({ level: 'active', group: 'compshare', title: soldOut.title });
  });

  it('cuts a long body so the push stays within the APNs payload limit', async () => {
    const channel = await start();
    await send(channel, { ...sampleMessage, text: '有货'.repeat(5_000) });
    const body = String(sentBody().body);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(3 * 1024);
    expect(body.endsWith('…')).toBe(true);
  });

  it('takes HTTP 400 with code 400 (an unknown device key) as a permanent refusal quoting the message, without the key', async () => {
    const message = `failed to get device token: failed to get [${KEY}] device token from database`;
    const channel = await start({ status: 400, body: { code: 400, message, timestamp: 1795000000 } });
    const error = await deliveryError(send(channel));
    expect(error.permanent).toBe(true);
    expect(error.message).toBe(
      `Bark: ${new URL(receiver.origin).host} refused the message: 400 failed to get device token: failed to get [[redacted]] device token from database`,
    );
  });

  it('takes HTTP 500 with code 500 (APNs failed) as transient', async () => {
    const channel = await start({ status: 500, body: { code: 500, message: 'push failed: context deadline exceeded', timestamp: 1795000000 } });
    const error = await deliveryError(send(channel));
    expect(error.permanent).toBe(false);
    expect(error.message).toContain('500 push failed: context deadline exceeded');
  });

  it('takes a 200 answer that is not its JSON as transient', async () => {
    const channel = await start({ status: 200, body: '<html>proxy login</html>' });
    expect((await deliveryError(send(channel))).permanent).toBe(false);
  });
});
