import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../src/notify/channel.js';
import { channels, notifierConfigSchema } from '../../src/notify/channels/index.js';

const folder = new URL('../../src/notify/channels/', import.meta.url);
const channelFiles = readdirSync(folder).filter((file) => file.endsWith('.ts') && file !== 'index.ts');

function isChannel(value: unknown): value is Channel {
  return typeof value === 'object' && value !== null && 'type' in value && 'configSchema' in value && 'create' in value;
}

/** The smallest valid entry of each type. */
const minimal: Record<string, Record<string, unknown>> = {
  email: { type: 'email', smtp: { host: 'smtp.example.com' }, from: 'a@example.com', to: ['b@example.com'] },
  desktop: { type: 'desktop' },
  webhook: { type: 'webhook', url: 'https://example.com/hook' },
  wecom: { type: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' },
  dingtalk: { type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=t' },
  feishu: { type: 'feishu', url: 'https://open.feishu.cn/open-apis/bot/v2/hook/t' },
  serverchan: { type: 'serverchan', sendKey: 'SCTkey' },
  pushplus: { type: 'pushplus', token: 't' },
  bark: { type: 'bark', key: 'k' },
  ntfy: { type: 'ntfy', topic: 'compshare-alerts' },
  telegram: { type: 'telegram', botToken: '123456:ABC-DEF', chatId: 123456789 },
  console: { type: 'console' },
};

describe('notifier channel registry', () => {
  it('registers exactly one channel per file in src/notify/channels, named by the file', async () => {
    const exported: Channel[] = [];
    for (const file of channelFiles) {
      const module = (await import(new URL(file, folder).href)) as Record<string, unknown>;
      const found = Object.values(module).filter(isChannel);
      expect(found, file).toHaveLength(1);
      expect(found[0]?.type, file).toBe(file.replace(/\.ts$/, ''));
      exported.push(...found);
    }
    expect(exported.map((channel) => channels.get(channel.type))).toEqual(exported);
    expect(channels.size).toBe(channelFiles.length);
  });

  it.each(Object.keys(minimal))('reads a minimal %s entry through the config schema', (type) => {
    expect(notifierConfigSchema.parse(minimal[type]).type).toBe(type);
    expect(channels.has(type)).toBe(true);
  });

  it('has a minimal example for every channel', () => {
    expect(Object.keys(minimal).sort()).toEqual([...channels.keys()].sort());
  });

  it.each([
    [{ type: 'slack', url: 'https://example.com' }, ['type'], 'unknown notifier type "slack" (known: email, desktop, webhook, wecom, dingtalk, feishu, serverchan, pushplus, bark, ntfy, telegram, console)'],
    [{ url: 'https://example.com' }, ['type'], 'missing (expected one of email, desktop, webhook, wecom, dingtalk, feishu, serverchan, pushplus, bark, ntfy, telegram, console)'],
    [{ type: 'desktop', colour: 'red' }, [], 'unknown key "colour" (allowed: type, sound, urgency)'],
  ])('explains %j', (input, path, message) => {
    const result = notifierConfigSchema.safeParse(input);
    expect(result.error?.issues).toEqual([expect.objectContaining({ path, message })]);
  });

  it('never quotes a webhook URL it refuses: the URL holds the token', () => {
    const result = notifierConfigSchema.safeParse({ type: 'wecom', url: 'qyapi.weixin.qq.com/send?key=secret-key' });
    expect(result.error?.issues[0]?.message).toBe('expected an http or https URL (the value is not shown: it may hold an access token)');
  });
});
