import { Writable } from 'node:stream';
import pino from 'pino';
import { expect } from 'vitest';
import type { Logger } from '../../src/log.js';
import { DeliveryError, type ChannelDeps, type RenderedMessage } from '../../src/notify/channel.js';
import { notifierConfigSchema, type NotifierConfig } from '../../src/notify/channels/index.js';

/** A logger that keeps its JSON lines for the test to read. */
export function captureLog(): { log: Logger; lines: () => Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines: () => lines };
}

export function testDeps(env: NodeJS.ProcessEnv = {}): ChannelDeps {
  return { log: pino({ level: 'silent' }), env };
}

/** A notifier entry as the config schema reads it (defaults filled in). */
export function notifierConfig(input: Record<string, unknown>): NotifierConfig {
  return notifierConfigSchema.parse(input);
}

/** A fixed message, so that channel tests do not depend on the renderer's wording. */
export const sampleMessage: RenderedMessage = {
  title: '4090 有货: 4090-wlcb 1卡16核64G',
  text: '监控 4090-wlcb 有货了：\n- 1卡16核64G：此前售罄 3h 12m',
  markdown: '### 4090 有货: 4090-wlcb 1卡16核64G\n\n- **1卡16核64G**：此前售罄 3h 12m',
  html: '<p>监控 4090-wlcb 有货了：</p><ul><li><strong>1卡16核64G</strong>：此前售罄 3h 12m</li></ul>',
  events: [
    {
      id: 'capacity.available:4090-wlcb:1-16-64:1795000000000',
      type: 'capacity.available',
      payload: { watch: '4090-wlcb', zone: 'cn-wlcb-01', gpuType: '4090', gpu: 1, cpu: 16, mem: 64 },
    },
    {
      id: 'capacity.available:4090-wlcb:2-32-128:1795000000000',
      type: 'capacity.available',
      payload: { watch: '4090-wlcb', zone: 'cn-wlcb-01', gpuType: '4090', gpu: 2, cpu: 32, mem: 128 },
    },
  ],
};

/** The DeliveryError a send rejects with (fails the test if it resolves or throws anything else). */
export async function deliveryError(send: Promise<void>): Promise<DeliveryError> {
  const error = await send.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}
