import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from '../../src/notify/channels/index.js';
import { startHttpReceiver, type HttpReceiver, type Reply } from '../helpers/http-receiver.js';
import { deliveryError, notifierConfig, sampleMessage, testDeps } from '../helpers/notify.js';

const KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';

describe('wecom channel', () => {
  let receiver: HttpReceiver;
  afterEach(async () => {
    await receiver.close();
  });

  const start = async (reply: Reply = { status: 200, body: { errcode: 0, errmsg: 'ok' } }) => {
    receiver = await startHttpReceiver(() => reply);
    return createChannel('team', notifierConfig({ type: 'wecom', url: `${receiver.origin}/cgi-bin/webhook/send?key=${KEY}` }), testDeps());
  };

  it('POSTs the markdown message to the URL with its key', async () => {
    const channel = await start();
    await channel.send({ message: sampleMessage, deliveryId: 'd' });
    const [request] = receiver.requests;
    expect(request?.url).toBe(`/cgi-bin/webhook/send?key=${KEY}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({ msgtype: 'markdown', markdown: { content: sampleMessage.markdown } });
  });

  it('cuts markdown longer than 4096 bytes at a character and marks the cut', async () => {
    const channel = await start();
    const markdown = '有货'.repeat(1_000);
    await channel.send({ message: { ...sampleMessage, markdown }, deliveryId: 'd' });
    const content = (JSON.parse(receiver.requests[0]?.body ?? '') as { markdown: { content: string } }).markdown.content;
    // 3 bytes a character: 1364 characters and the 3-byte ellipsis are the most that fit in 4096 bytes.
    expect(content).toBe(`${markdown.slice(0, 1364)}…`);
    expect(Buffer.byteLength(content)).toBe(4095);
  });

  it.each([
    [45009, 'api freq out of limit', false],
    [45033, 'api concurrent out of limit', false],
    [-1, 'system busy', false],
    [93000, 'invalid webhook url', true],
    [40008, 'invalid message type', true],
  ])('takes errcode %i as a failure with its errmsg, permanent: %s', async (errcode, errmsg, permanent) => {
    const channel = await start({ status: 200, body: { errcode, errmsg } });
    const error = await deliveryError(channel.send({ message: sampleMessage, deliveryId: 'd' }));
    expect(error.permanent).toBe(permanent);
    expect(error.message).toBe(`WeCom: ${new URL(receiver.origin).host} refused the message: ${errcode} ${errmsg}`);
  });

  it('takes a 200 answer that is not the robot JSON as transient', async () => {
    const channel = await start({ status: 200, body: '<html>gateway</html>' });
    const error = await deliveryError(channel.send({ message: sampleMessage, deliveryId: 'd' }));
    expect(error.permanent).toBe(false);
    expect(error.message).toContain('unexpected answer');
  });

  it('classifies an HTTP error without a code by its status', async () => {
    const channel = await start({ status: 502, body: 'bad gateway' });
    const error = await deliveryError(channel.send({ message: sampleMessage, deliveryId: 'd' }));
    expect(error.permanent).toBe(false);
    expect(error.message).toContain('HTTP 502');
  });
});
