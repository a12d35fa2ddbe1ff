import { z } from 'zod';
import { quote } from '../../schema/message.js';
import type { Channel, ChannelDeps, ChannelInstance } from '../channel.js';
import { barkChannel } from './bark.js';
import { consoleChannel } from './console.js';
import { dingtalkChannel } from './dingtalk.js';
import { desktopChannel } from './desktop.js';
import { emailChannel } from './email.js';
import { feishuChannel } from './feishu.js';
import { ntfyChannel } from './ntfy.js';
import { pushplusChannel } from './pushplus.js';
import { serverchanChannel } from './serverchan.js';
import { telegramChannel } from './telegram.js';
import { webhookChannel } from './webhook.js';
import { wecomChannel } from './wecom.js';

/** Every channel kind, one line each; a test checks this list against the files in this folder. */
const channelList = [emailChannel, desktopChannel, webhookChannel, wecomChannel, dingtalkChannel, feishuChannel, serverchanChannel, pushplusChannel, barkChannel, ntfyChannel, telegramChannel, consoleChannel] as const;

/** Channel kinds by their `type`. */
export const channels: ReadonlyMap<string, Channel> = new Map(channelList.map((channel) => [channel.type, channel]));

type ConfigSchemas<List extends readonly Channel[]> = { -readonly [Index in keyof List]: List[Index]['configSchema'] };

const knownTypes = channelList.map((channel) => channel.type).join(', ');

/** One entry of `notifiers:`, checked by the schema its `type` names. */
export const notifierConfigSchema = z.discriminatedUnion(
  'type',
  channelList.map((channel) => channel.configSchema) as ConfigSchemas<typeof channelList>,
  { error: (issue) => (issue.code === 'invalid_union' ? unknownTypeProblem(issue.input) : undefined) },
);

/** zod reports a missing or unknown `type` as a bare union failure; say which types there are instead. */
function unknownTypeProblem(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const type = (input as { type?: unknown }).type;
  if (type === undefined) return `missing (expected one of ${knownTypes})`;
  return `unknown notifier type ${typeof type === 'string' ? quote(type) : String(type)} (known: ${knownTypes})`;
}

export type NotifierConfig = z.output<typeof notifierConfigSchema>;

/** A ready channel for one configured notifier; nothing is connected until its first send. */
export function createChannel(name: string, config: NotifierConfig, deps: ChannelDeps): ChannelInstance {
  const channel = channels.get(config.type);
  if (channel === undefined) throw new TypeError(`createChannel: no channel of type ${quote(config.type)}`);
  return channel.create(name, config, deps);
}
