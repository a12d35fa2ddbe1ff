import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfigFile } from '../../src/config/load.js';
import { DEFAULT_CHANNEL_TIMEOUT_MS } from '../../src/notify/config-fields.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const SECRET = 'env-secret-6f0c2a9e';

/** Loads a config whose only notifier `phone` has these YAML lines (indented under it). */
async function loadNotifier(lines: string, env: NodeJS.ProcessEnv = {}) {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.yaml'), `notifiers:\n  phone:\n${lines.replace(/^/gm, '    ')}\n`);
  return loadConfigFile({ path: 'config.yaml', cwd: dir, env });
}

/** The lines of the ConfigError the load fails with. */
async function problems(lines: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const error: unknown = await loadNotifier(lines, env).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message.split('\n');
}

const NOT_A_URL = 'expected an http or https URL (the value is not shown: it may hold an access token)';

describe('push channel config', () => {
  it.each([
    ['serverchan', 'sendKey', 'https://sctapi.ftqq.com', 'baseUrl'],
    ['pushplus', 'token', 'https://www.pushplus.plus', 'baseUrl'],
    ['bark', 'key', 'https://api.day.app', 'server'],
  ])('%s: reads %s from the environment and defaults %s to the public service', async (type, secretKey, defaultUrl, urlKey) => {
    const { config } = await loadNotifier(`type: ${type}\n${secretKey}: \${PUSH_SECRET}`, { PUSH_SECRET: SECRET });
    expect(config.notifiers.phone).toMatchObject({ type, [secretKey]: SECRET, [urlKey]: defaultUrl, timeoutMs: DEFAULT_CHANNEL_TIMEOUT_MS });
  });

  it.each([
    ['serverchan', 'sendKey'],
    ['pushplus', 'token'],
    ['bark', 'key'],
  ])('%s: a missing %s is one line naming it', async (type, key) => {
    expect(await problems(`type: ${type}`)).toEqual([`config.yaml: notifiers.phone.${key}: missing (expected a string)`]);
  });

  it.each([
    ['serverchan', 'sendKey: k\nbaseUrl: sctapi.ftqq.com', 'baseUrl'],
    ['pushplus', 'token: t\nbaseUrl: ftp://www.pushplus.plus', 'baseUrl'],
    ['bark', 'key: k\nserver: ${BARK_SERVER}', 'server'],
  ])('%s: %s must be an http(s) URL, and the value is not shown', async (type, fields, key) => {
    const lines = await problems(`type: ${type}\n${fields}`, { BARK_SERVER: `api.day.app/${SECRET}` });
    expect(lines).toEqual([`config.yaml: notifiers.phone.${key}: ${NOT_A_URL}`]);
  });

  it.each([
    ['serverchan', 'sendKey: k\ntitle: x', 'unknown key "title" (allowed: type, sendKey, baseUrl, timeoutMs)'],
    ['pushplus', 'token: t\nchannel: mail', 'unknown key "channel" (allowed: type, token, topic, baseUrl, timeoutMs)'],
    ['bark', 'key: k\nsound: alarm', 'unknown key "sound" (allowed: type, key, server, group, timeoutMs)'],
  ])('%s: refuses unknown keys', async (type, fields, problem) => {
    expect(await problems(`type: ${type}\n${fields}`)).toEqual([`config.yaml: notifiers.phone: ${problem}`]);
  });

  it.each([
    ['pushplus', 'token: t\ntopic: ""', 'topic'],
    ['bark', 'key: k\ngroup: ""', 'group'],
  ])('%s: an empty optional %s is an error rather than a silent no-op', async (type, fields, key) => {
    expect(await problems(`type: ${type}\n${fields}`)).toEqual([`config.yaml: notifiers.phone.${key}: must not be empty`]);
  });
});
