import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfigFile } from '../../src/config/load.js';
import { notifierConfigSchema } from '../../src/notify/channels/index.js';

const TOPIC = 'compshare-alerts-7f3e9a1c';
const BOT_TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'compshare-watch-push-b-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Loads `notifiers: { phone: <entry> }` the way `config validate` does. */
async function load(entry: string, env: NodeJS.ProcessEnv = {}) {
  await writeFile(join(dir, 'config.yaml'), `notifiers:\n  phone:\n${entry.replace(/^/gm, '    ')}\n`);
  return loadConfigFile({ path: 'config.yaml', cwd: dir, env });
}

/** The lines a config with that entry fails with. */
async function problems(entry: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const error: unknown = await load(entry, env).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message.split('\n');
}

describe('ntfy config', () => {
  it('defaults to the public server and the default priority; the token may come from the environment', async () => {
    const { config } = await load(`type: ntfy\ntopic: ${TOPIC}\ntoken: \${NTFY_TOKEN}`, { NTFY_TOKEN: 'tk_secret' });
    expect(config.notifiers['phone']).toEqual({ type: 'ntfy', server: 'https://ntfy.sh', topic: TOPIC, token: 'tk_secret', priority: 3, timeoutMs: 10_000 });
  });

  it.each([
    ['min', 1],
    ['low', 2],
    ['default', 3],
    ['high', 4],
    ['urgent', 5],
    ['max', 5],
    [1, 1],
    [5, 5],
  ])('reads priority %j as %i', (priority, number) => {
    expect(notifierConfigSchema.parse({ type: 'ntfy', topic: TOPIC, priority })).toMatchObject({ priority: number });
  });

  it.each([
    ['no topic', 'type: ntfy', 'notifiers.phone.topic: missing (expected a string)'],
    [
      'a topic ntfy refuses',
      `type: ntfy\ntopic: "${TOPIC}/x"`,
      'notifiers.phone.topic: expected 1-64 letters, digits, "-" or "_" (the value is not shown: the topic is a password)',
    ],
    ['a server that is not http(s)', `type: ntfy\ntopic: ${TOPIC}\nserver: ftp://ntfy.example.com`, 'notifiers.phone.server: expected an http or https URL (the value is not shown: it may hold an access token)'],
    [
      'a priority out of range',
      `type: ntfy\ntopic: ${TOPIC}\npriority: 7`,
      'notifiers.phone.priority: expected 1-5 or one of min, low, default, high, urgent, max (found 7)',
    ],
    [
      // Values under notifiers are never echoed by the loader (they may be tokens); the schema names it (below).
      'an unknown priority name',
      `type: ntfy\ntopic: ${TOPIC}\npriority: loud`,
      'notifiers.phone.priority: expected 1-5 or one of min, low, default, high, urgent, max (value not shown)',
    ],
    ['a priority of the wrong kind', `type: ntfy\ntopic: ${TOPIC}\npriority: [4]`, 'notifiers.phone.priority: expected 1-5 or one of min, low, default, high, urgent, max'],
    ['a misspelt key', `type: ntfy\ntopic: ${TOPIC}\ntopc: x`, 'notifiers.phone: unknown key "topc" (did you mean "topic"?)'],
  ])('%s is one line naming the field', async (_case, entry, line) => {
    expect(await problems(entry)).toEqual([`config.yaml: ${line}`]);
  });

  it('names a bad priority value', () => {
    const result = notifierConfigSchema.safeParse({ type: 'ntfy', topic: TOPIC, priority: 'loud' });
    expect(result.error?.issues[0]?.message).toBe('expected 1-5 or one of min, low, default, high, urgent, max (found "loud")');
  });

  it('never shows a topic it refuses', async () => {
    const lines = await problems(`type: ntfy\ntopic: "secret topic ${TOPIC}"`);
    expect(lines.join('\n')).not.toContain(TOPIC);
  });
});

describe('telegram config', () => {
  it('defaults baseUrl to the Bot API and takes the token from the environment', async () => {
    const { config } = await load('type: telegram\nbotToken: ${TG_TOKEN}\nchatId: "@compshare_alerts"', { TG_TOKEN: BOT_TOKEN });
    expect(config.notifiers['phone']).toEqual({
      type: 'telegram',
      botToken: BOT_TOKEN,
      chatId: '@compshare_alerts',
      baseUrl: 'https://api.telegram.org',
      timeoutMs: 10_000,
    });
  });

  it.each([
    ['no botToken', 'type: telegram\nchatId: 1', 'notifiers.phone.botToken: missing (expected a string)'],
    [
      'no chatId',
      `type: telegram\nbotToken: "${BOT_TOKEN}"`,
      `notifiers.phone.chatId: missing (expected a chat id such as 123456789 or -1001234567890, or a channel's "@username")`,
    ],
    [
      'a chat id that is a list',
      `type: telegram\nbotToken: "${BOT_TOKEN}"\nchatId: [1]`,
      `notifiers.phone.chatId: expected a chat id such as 123456789 or -1001234567890, or a channel's "@username"`,
    ],
    [
      'a token that is not from BotFather',
      'type: telegram\nbotToken: AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw\nchatId: 1',
      "notifiers.phone.botToken: expected a token from @BotFather such as 123456789:AA... (the value is not shown: it is the bot's password)",
    ],
    [
      'a chat id that is neither a number nor @username',
      `type: telegram\nbotToken: "${BOT_TOKEN}"\nchatId: 1.5`,
      `notifiers.phone.chatId: expected a chat id such as 123456789 or -1001234567890, or a channel's "@username" (found 1.5)`,
    ],
    ['a baseUrl that is not http(s)', `type: telegram\nbotToken: "${BOT_TOKEN}"\nchatId: 1\nbaseUrl: api.telegram.org`, 'notifiers.phone.baseUrl: expected an http or https URL (the value is not shown: it may hold an access token)'],
  ])('%s is one line naming the field', async (_case, entry, line) => {
    expect(await problems(entry)).toEqual([`config.yaml: ${line}`]);
  });

  it.each([['my channel'], ['@abc'], [0]])('refuses chat id %j', (chatId) => {
    expect(notifierConfigSchema.safeParse({ type: 'telegram', botToken: BOT_TOKEN, chatId }).success).toBe(false);
  });

  it('never shows a bot token it refuses', async () => {
    const lines = await problems('type: telegram\nbotToken: "bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"\nchatId: 1');
    expect(lines.join('\n')).not.toContain('AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw');
  });
});
