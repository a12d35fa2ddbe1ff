import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelInstance } from '../../src/notify/channel.js';
import { createChannel } from '../../src/notify/channels/index.js';
import { messageIdFor } from '../../src/notify/channels/email.js';
import { closedPort } from '../helpers/http-receiver.js';
import { captureLog, deliveryError, notifierConfig, sampleMessage, testDeps } from '../helpers/notify.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

const ACCOUNT = { username: 'alerts@example.com', password: 'smtp-pass-0f9e8d' };

function emailConfig(port: number, smtp: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return notifierConfig({
    type: 'email',
    smtp: { host: '127.0.0.1', port, user: ACCOUNT.username, pass: ACCOUNT.password, requireTLS: false, ...smtp },
    from: 'compshare-watch <alerts@example.com>',
    to: ['me@example.com', 'oncall@example.com'],
    ...extra,
  });
}

describe('email channel', () => {
  const channels: ChannelInstance[] = [];
  const servers: TestSmtpServer[] = [];
  afterEach(async () => {
    // Channels first: a server waits for open pool connections before it closes.
    for (const created of channels.splice(0)) await created.close?.();
    for (const started of servers.splice(0)) await started.close();
  });

  const server = async (options: Parameters<typeof startSmtpServer>[0] = { account: ACCOUNT }): Promise<TestSmtpServer> => {
    const started = await startSmtpServer(options);
    servers.push(started);
    return started;
  };
  const channel = (config: ReturnType<typeof notifierConfig>, deps = testDeps()): ChannelInstance => {
    const created = createChannel('mail', config, deps);
    channels.push(created);
    return created;
  };

  it('sends subject, text and HTML bodies, with the delivery id as Message-ID, after logging in', async () => {
    const smtp = await server();
    await channel(emailConfig(smtp.port)).send({ message: sampleMessage, deliveryId: 'delivery-1' });
    expect(smtp.logins).toEqual([ACCOUNT]);
    const [mail] = smtp.messages;
    expect(mail?.subject).toBe(sampleMessage.title);
    expect(mail?.text?.trimEnd()).toBe(sampleMessage.text);
    expect(mail?.html).toBe(sampleMessage.html);
    expect(mail?.messageId).toBe('<delivery-1@compshare-watch>');
    expect(mail?.from?.text).toBe('"compshare-watch" <alerts@example.com>');
    expect([mail?.to].flat().map((address) => address?.text)).toEqual(['me@example.com, oncall@example.com']);
  });

  it('gives a redelivery the same Message-ID, encoding what a Message-ID may not hold', async () => {
    const smtp = await server();
    const mail = channel(emailConfig(smtp.port));
    const deliveryId = 'capacity.available:4090-wlcb:1-16-64:1795000000000';
    await mail.send({ message: sampleMessage, deliveryId });
    await mail.send({ message: sampleMessage, deliveryId });
    const expected = '<capacity.available%3A4090-wlcb%3A1-16-64%3A1795000000000@compshare-watch>';
    expect(messageIdFor(deliveryId)).toBe(expected);
    expect(smtp.messages.map((message) => message.messageId)).toEqual([expected, expected]);
  });

  it('reports a rejected password as permanent without repeating it', async () => {
    const smtp = await server();
    const config = emailConfig(smtp.port, { pass: 'wrong-password-123' });
    const error = await deliveryError(channel(config).send({ message: sampleMessage, deliveryId: 'd' }));
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('535');
    expect(error.message).not.toContain('wrong-password-123');
    expect(smtp.logins).toEqual([{ username: ACCOUNT.username, password: 'wrong-password-123' }]);
    expect(smtp.messages).toEqual([]);
  });

  it('by default will not send a password to a server that offers no STARTTLS', async () => {
    const smtp = await server();
    const config = emailConfig(smtp.port, { requireTLS: undefined });
    const error = await deliveryError(channel(config).send({ message: sampleMessage, deliveryId: 'd' }));
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('offers no STARTTLS');
    expect(smtp.logins).toEqual([]);
  });

  it.each([
    [451, false],
    [452, false],
    [503, false],
    [550, true],
    [554, true],
  ])('takes reply %i to the message as permanent: %s', async (responseCode, permanent) => {
    const smtp = await server();
    smtp.refuseData({ responseCode, message: 'refused' });
    const error = await deliveryError(channel(emailConfig(smtp.port)).send({ message: sampleMessage, deliveryId: 'd' }));
    expect(error.permanent).toBe(permanent);
    expect(error.message).toContain(String(responseCode));
  });

  it('delivers to the recipients the server takes and reports the others in the log', async () => {
    const smtp = await server();
    smtp.refuseRecipients(['oncall@example.com']);
    const { log, lines } = captureLog();
    await channel(emailConfig(smtp.port), { log, env: {} }).send({ message: sampleMessage, deliveryId: 'd' });
    expect(smtp.messages).toHaveLength(1);
    expect(lines()).toEqual([expect.objectContaining({ level: 40, channel: 'mail', rejected: ['oncall@example.com'] })]);
  });

  it('fails permanently when the server takes no recipient', async () => {
    const smtp = await server();
    smtp.refuseRecipients(['me@example.com', 'oncall@example.com']);
    const error = await deliveryError(channel(emailConfig(smtp.port)).send({ message: sampleMessage, deliveryId: 'd' }));
    expect(error.permanent).toBe(true);
  });

  it('fails transiently while the server is down and delivers through the same channel once it is back', async () => {
    const port = await closedPort();
    const mail = channel(emailConfig(port, {}, { timeoutMs: 2_000 }));
    const error = await deliveryError(mail.send({ message: sampleMessage, deliveryId: 'd1' }));
    expect(error.permanent).toBe(false);
    expect(error.message).toContain(`127.0.0.1:${port}`);
    const smtp = await server({ account: ACCOUNT, port });
    await mail.send({ message: sampleMessage, deliveryId: 'd1' });
    expect(smtp.messages.map((message) => message.messageId)).toEqual(['<d1@compshare-watch>']);
  });
});

describe('email config', () => {
  const smtpOf = (smtp: Record<string, unknown>) => {
    const config = notifierConfig({ type: 'email', smtp: { host: 'smtp.example.com', ...smtp }, from: 'a@example.com', to: ['b@example.com'] });
    return config.type === 'email' ? config.smtp : undefined;
  };

  it.each([
    ['nothing', {}, { port: 587, secure: false, requireTLS: false }],
    ['a password', { user: 'u', pass: 'p' }, { port: 587, secure: false, requireTLS: true }],
    ['port 465', { port: 465, user: 'u', pass: 'p' }, { port: 465, secure: true, requireTLS: false }],
    ['secure', { secure: true }, { port: 465, secure: true, requireTLS: false }],
    ['port 25 without TLS', { port: 25, secure: false, requireTLS: false, user: 'u', pass: 'p' }, { port: 25, secure: false, requireTLS: false }],
  ])('fills in port, secure and requireTLS given %s', (_case, smtp, expected) => {
    expect(smtpOf(smtp)).toMatchObject(expected);
  });

  it('wants user and pass together', () => {
    expect(() => smtpOf({ user: 'u' })).toThrow('set both user and pass (or passFile), or neither');
  });
});
