import { randomUUID } from 'node:crypto';
import { loadConfigFile } from '../config/load.js';
import { createLogger } from '../log.js';
import { DeliveryError, type ChannelDeps, type RenderedMessage } from '../notify/channel.js';
import { createChannel, type NotifierConfig } from '../notify/channels/index.js';
import { renderMessage, TEST_EVENT_TYPE } from '../notify/render.js';
import { EXIT_API_ERROR } from './exit.js';
import { formatTable } from './table.js';
import { UsageError } from './usage-error.js';

/** One element of `notify test --json`; the field names are part of the CLI's contract. */
export interface NotifyTestResult {
  notifier: string;
  type: string;
  ok: boolean;
  error?: string;
  /** Whether retrying cannot help until the config or the machine changes. */
  permanent?: boolean;
}

export interface NotifyTestOptions {
  channel?: string;
  config?: string;
  json?: boolean;
}

/** `notify test`: a test message through every notifier (or one), and what each answered. */
export async function notifyTest(options: NotifyTestOptions): Promise<void> {
  const loaded = await loadConfigFile({ path: options.config });
  const notifiers = selectNotifiers(loaded.config.notifiers, options.channel);
  const now = Date.now();
  const message = renderMessage([{ id: `${TEST_EVENT_TYPE}:${now}`, type: TEST_EVENT_TYPE, payload: {}, createdAt: now }], {
    locale: loaded.config.locale,
    timezone: loaded.config.timezone,
  });
  const deps: ChannelDeps = { log: createLogger(), env: process.env };
  const results = await Promise.all(notifiers.map(([name, config]) => sendTest(name, config, message, deps)));
  process.stdout.write(options.json ? `${JSON.stringify(results, null, 2)}\n` : `${renderTable(results)}\n`);
  if (results.some((result) => !result.ok)) process.exitCode = EXIT_API_ERROR;
}

function selectNotifiers(
  notifiers: Readonly<Record<string, NotifierConfig>>,
  name: string | undefined,
): Array<[string, NotifierConfig]> {
  const entries = Object.entries(notifiers);
  if (entries.length === 0) throw new UsageError('the config has no notifiers; add one under notifiers:');
  if (name === undefined) return entries;
  const chosen = entries.filter(([candidate]) => candidate === name);
  if (chosen.length === 0) {
    throw new UsageError(`unknown notifier "${name}" (configured: ${entries.map(([candidate]) => candidate).join(', ')})`);
  }
  return chosen;
}

/** A failed delivery is a result to print; anything else is a bug and propagates. */
async function sendTest(name: string, config: NotifierConfig, message: RenderedMessage, deps: ChannelDeps): Promise<NotifyTestResult> {
  const channel = createChannel(name, config, deps);
  try {
    // A fresh id each run: mail systems drop a second message with a Message-ID they have seen.
    await channel.send({ message, deliveryId: `notify-test-${randomUUID()}` });
    return { notifier: name, type: config.type, ok: true };
  } catch (error) {
    if (!(error instanceof DeliveryError)) throw error;
    return { notifier: name, type: config.type, ok: false, error: error.message, permanent: error.permanent };
  } finally {
    await channel.close?.();
  }
}

function renderTable(results: readonly NotifyTestResult[]): string {
  return formatTable(
    ['NOTIFIER', 'TYPE', 'RESULT'],
    results.map((result) => [
      result.notifier,
      result.type,
      result.ok ? 'OK' : `FAILED${result.permanent ? '' : ' (temporary)'}: ${result.error ?? ''}`,
    ]),
  );
}
