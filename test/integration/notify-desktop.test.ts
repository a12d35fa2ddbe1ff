import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createChannel } from '../../src/notify/channels/index.js';
import { NO_SESSION_BUS } from '../../src/notify/channels/desktop.js';
import { installFakeNotifySend, type FakeNotifySend } from '../helpers/fake-notify-send.js';
import { captureLog, deliveryError, notifierConfig, sampleMessage, testDeps } from '../helpers/notify.js';
import { useTempDir } from '../helpers/temp-dir.js';

const BUS = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' };

describe.skipIf(process.platform !== 'linux')('desktop channel (notify-send)', () => {
  const tempDir = useTempDir();
  let fake: FakeNotifySend;
  beforeEach(() => {
    fake = installFakeNotifySend(tempDir());
    vi.stubEnv('PATH', `${fake.dir}:${process.env.PATH ?? ''}`);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('runs notify-send with the title, the text, and the urgency', async () => {
    const channel = createChannel('desk', notifierConfig({ type: 'desktop', urgency: 'critical' }), testDeps(BUS));
    await channel.send({ message: sampleMessage, deliveryId: 'd' });
    const [call] = fake.calls();
    expect(call?.argv.slice(0, 2)).toEqual([
      sampleMessage.title,
      // node-notifier passes line breaks as "\n", which notify-send turns back into line breaks.
      sampleMessage.text.replaceAll('\n', '\\n'),
    ]);
    expect(call?.argv).toEqual(expect.arrayContaining(['--urgency', 'critical']));
    expect(call?.argv).not.toContain('--hint');
  });

  it('asks for the "new message" sound through a hint when sound is on', async () => {
    const channel = createChannel('desk', notifierConfig({ type: 'desktop', sound: true }), testDeps(BUS));
    await channel.send({ message: sampleMessage, deliveryId: 'd' });
    expect(fake.calls()[0]?.argv).toEqual(expect.arrayContaining(['--hint', 'string:sound-name:message-new-instant']));
    expect(fake.calls()[0]?.argv).not.toContain('--urgency');
  });

  it('reports notify-send failing as transient, with what it said', async () => {
    fake.fail(1, 'GDBus.Error:org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.Notifications was not provided\n');
    const channel = createChannel('desk', notifierConfig({ type: 'desktop' }), testDeps(BUS));
    const error = await deliveryError(channel.send({ message: sampleMessage, deliveryId: 'd' }));
    expect(error.permanent).toBe(false);
    expect(error.message).toBe(
      'notify-send failed: GDBus.Error:org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.Notifications was not provided',
    );
  });

  it('without a session bus, says so once in the log and fails every send permanently without running notify-send', async () => {
    const { log, lines } = captureLog();
    const channel = createChannel('desk', notifierConfig({ type: 'desktop' }), { log, env: {} });
    for (let attempt = 0; attempt < 3; attempt++) {
      const error = await deliveryError(channel.send({ message: sampleMessage, deliveryId: `d${attempt}` }));
      expect(error.permanent).toBe(true);
      expect(error.message).toBe(
        'no desktop session bus (DBUS_SESSION_BUS_ADDRESS is unset): run compshare-watch as a user service (systemd --user) to get desktop alerts',
      );
    }
    expect(lines()).toEqual([expect.objectContaining({ level: 40, channel: 'desk', msg: NO_SESSION_BUS })]);
    expect(fake.calls()).toEqual([]);
  });
});
