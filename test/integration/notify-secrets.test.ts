import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { notifyCommand } from '../../src/cli/commands/notify.js';
import { loadConfigFile } from '../../src/config/load.js';
import { Notifier, routeEventsToOutbox } from '../../src/notify/notifier.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { startHttpReceiver, type HttpReceiver, type ReceivedRequest } from '../helpers/http-receiver.js';
import { captureLog } from '../helpers/notify.js';
import { queryDb } from '../helpers/daemon.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
let receiver: HttpReceiver | undefined;
let smtp: TestSmtpServer | undefined;
afterEach(async () => {
  await receiver?.close();
  await smtp?.close();
  receiver = undefined;
  smtp = undefined;
});

const PATH_TOKEN = 'path-token-5b1f0c2e9a77';
const QUERY_TOKEN = 'query/token+77aa01==';
const BEARER_TOKEN = 'bearer-token-c0ffee-1234';
const SIGNING_SECRET = 'signing"secret\\5e1f';
const SMTP_USER = 'alerts';
const SMTP_PASS = 'smtp-password-hunter2';

const base64 = (text: string) => Buffer.from(text).toString('base64');

/** Runs `notify ...` in-process; returns what it printed on stdout. */
async function runNotify(args: string[]): Promise<string> {
  const written: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await notifyCommand().exitOverride().parseAsync(args, { from: 'user' });
    return written.join('');
  } finally {
    process.exitCode = undefined;
    vi.restoreAllMocks();
  }
}

/**
 * Everything a failed delivery can reach: `notify test` (table and JSON), the daemon's logs and outbox rows (the
 * database file's bytes), and `notify status` reading them back.
 */
async function everywhereAFailureGoes(notifier: string): Promise<{ everything: string; printed: string[]; lastError: string }> {
  const dir = tempDir();
  const path = join(dir, 'config.yaml');
  writeFileSync(path, `credentials: { publicKey: p, privateKey: s }\nstorage: { path: ${join(dir, 'history.db')} }\nnotify: [out]\nnotifiers:\n  out:\n${notifier}`);
  const printed = [await runNotify(['test', '-c', path]), await runNotify(['test', '-c', path, '--json'])];

  const { config } = await loadConfigFile({ path });
  const store = HistoryStore.open(config.storage.path);
  const { log, lines } = captureLog();
  const notifier_ = new Notifier(config, store, { now: () => Date.now() }, log, {});
  // Not started (the test drives delivery itself): events reach the outbox as a started notifier routes them.
  routeEventsToOutbox(config, store, { now: () => Date.now() });
  store.addEvent({ id: 'policy.failed:uhost-1:nightly:1', type: 'policy.failed', watch: null, payload: { instance: 'uhost-1', name: 'train', policy: 'nightly', error: 'x' }, createdAt: Date.now() });
  await notifier_.dispatcher.drain();
  await notifier_.stop();
  store.close();
  const [{ last_error: lastError }] = queryDb<{ last_error: string }>(config.storage.path, 'SELECT last_error FROM outbox') as [{ last_error: string }];
  printed.push(await runNotify(['status', '-c', path]), await runNotify(['status', '-c', path, '--json']));

  const files = ['history.db', 'history.db-wal'].map((file) => join(dir, file)).filter((file) => existsSync(file));
  const stored = files.map((file) => readFileSync(file).toString('latin1'));
  const everything = [...printed, JSON.stringify(lines()), ...stored].join('\n');
  // The failure made it everywhere (so the absence of the secret below means something).
  expect(printed[0]).toContain('FAILED');
  expect(lines().some((line) => line.channel === 'out' && typeof line.err === 'string')).toBe(true);
  return { everything, printed, lastError };
}

const webhookYaml = (origin: string) => `    type: webhook
    url: ${origin}/hooks/${PATH_TOKEN}?token=${encodeURIComponent(QUERY_TOKEN)}
    headers: { Authorization: "Bearer ${BEARER_TOKEN}" }
    secret: '${SIGNING_SECRET}'
`;

/** How a careless far end quotes what it was sent back in its error answer. */
const echoes: Array<[string, (request: ReceivedRequest) => string, string]> = [
  ['the bearer token alone', () => `invalid token ${BEARER_TOKEN}`, BEARER_TOKEN],
  ['a path token straddling the excerpt boundary', () => `${'x'.repeat(190)} ${PATH_TOKEN} was refused`, PATH_TOKEN.slice(0, 8)],
  ['the request URL (URL-encoded query token)', (request) => `bad request ${request.url}`, 'query%2Ftoken'],
  ['a query token decoded', () => `unknown token ${QUERY_TOKEN}`, QUERY_TOKEN],
  ['a token in base64', () => `bad credential ${base64(BEARER_TOKEN)}`, base64(BEARER_TOKEN).slice(0, 12)],
  ['a secret JSON-escaped', () => JSON.stringify({ error: `secret ${SIGNING_SECRET} does not match` }), 'signing\\"secret'],
  ['a secret upper-cased', () => `TOKEN ${PATH_TOKEN.toUpperCase()} UNKNOWN`, PATH_TOKEN.toUpperCase()],
];

describe('secrets a far end echoes back', () => {
  it.each(echoes)('never shows %s in CLI output, logs or the database', async (_label, echo, secret) => {
    receiver = await startHttpReceiver((request) => ({ status: 503, body: echo(request) }));
    const { everything } = await everywhereAFailureGoes(webhookYaml(receiver.origin));
    expect(everything).not.toContain(secret);
    // Scrubbed rather than dropped (`[redacted]` itself may be cut at the end of an excerpt).
    expect(everything).toContain('[redact');
  });

  it('prints, logs and stores an answer as one line without controls or terminal escapes', async () => {
    const hostile = `busy\n{"level":50,"msg":"fake log line"}\r\n\u001b[2J\u001b]0;owned\u0007\u001b[31mred\u001b[0m\u0000\u202eend`;
    receiver = await startHttpReceiver(() => ({ status: 503, body: hostile }));
    const { printed, lastError } = await everywhereAFailureGoes(webhookYaml(receiver.origin));
    expect(lastError).toMatch(/HTTP 503 from 127\.0\.0\.1:\d+: busy \{"level":50,"msg":"fake log line"\} red end$/);
    const [table, json] = printed;
    expect(table?.trimEnd().split('\n')).toHaveLength(2);
    expect(table).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
    expect((JSON.parse(json ?? '') as Array<{ error: string }>)[0]?.error).toContain('busy {"level":50');
  });

  it.each([
    ['AUTH PLAIN', base64(`\u0000${SMTP_USER}\u0000${SMTP_PASS}`)],
    ['AUTH LOGIN', base64(SMTP_PASS)],
    ['raw', SMTP_PASS],
  ])('never shows an SMTP password echoed as %s', async (_label, echoed) => {
    smtp = await startSmtpServer({ account: { username: SMTP_USER, password: 'the-right-one' }, loginRefusal: () => `bad credentials ${echoed}` });
    const { everything } = await everywhereAFailureGoes(`    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port}, user: ${SMTP_USER}, pass: ${SMTP_PASS}, requireTLS: false }
    from: alerts@example.com
    to: [me@example.com]
`);
    expect(everything).not.toContain(echoed);
    expect(everything).not.toContain(base64(SMTP_PASS).slice(0, 12));
    expect(everything).not.toContain(SMTP_PASS);
    expect(everything).toContain('[redacted]');
  });
});
