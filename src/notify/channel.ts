import type { z } from 'zod';
import type { Logger } from '../log.js';

/** A message rendered once per (batch of events, channel), in the configured locale. */
export interface RenderedMessage {
  /** Short enough for a phone lock screen. */
  title: string;
  /** Plain text body. */
  text: string;
  /** The same content as Markdown (WeCom, DingTalk, Feishu). */
  markdown: string;
  /** The same content as HTML (email). */
  html: string;
  /** The events this message covers, oldest first; their ids are the dedupe keys. */
  events: ReadonlyArray<{ id: string; type: string; payload: Record<string, unknown> }>;
}

/**
 * Whether a message announces capacity that is free now (a reminder included): the push channels raise its
 * priority (Bark `timeSensitive`, ntfy `high`), because a free card is gone in minutes.
 */
export function announcesAvailability(message: RenderedMessage): boolean {
  return message.events.some((event) => event.type === 'capacity.available' || event.type === 'capacity.reminder');
}

export interface Delivery {
  message: RenderedMessage;
  /** Stable for this (message, channel): a redelivery carries the same id (email Message-ID, webhook header). */
  deliveryId: string;
}

/** A configured, ready channel. `send` resolves when the far end accepted the message and throws otherwise. */
export interface ChannelInstance {
  readonly name: string;
  readonly type: string;
  send(delivery: Delivery): Promise<void>;
  close?(): Promise<void>;
}

/**
 * A channel kind: its config schema (with `type: z.literal(...)`) and a factory. Adding a kind is one file in
 * channels/ and one line in channels/index.ts.
 */
export interface Channel<Schema extends z.ZodType = z.ZodType> {
  readonly type: string;
  readonly configSchema: Schema;
  create(name: string, config: z.output<Schema>, deps: ChannelDeps): ChannelInstance;
}

export interface ChannelDeps {
  log: Logger;
  env: NodeJS.ProcessEnv;
}

/**
 * A failed delivery. `permanent` says retrying cannot help until the config or the machine changes (a rejected
 * token, no desktop session); the dispatcher then stops retrying that channel's row and records the reason.
 */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
  }
}
