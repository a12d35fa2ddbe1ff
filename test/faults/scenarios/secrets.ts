import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../../helpers/cli.js';
import { queryDb, startDaemon, type DaemonProcess } from '../../helpers/daemon.js';
import { startHttpReceiver, type HttpReceiver, type ReceivedRequest } from '../../helpers/http-receiver.js';
import { createRequests, put4090Rows, SIM_PUBLIC_KEY, SIM_ZONE, startTestSim, type TestSim } from '../../helpers/sim.js';
import { flippingWatch } from './flipping-watch.js';
import { startSmtpServer, type TestSmtpServer } from '../../helpers/smtp.js';
import { waitFor } from '../../helpers/wait.js';
import { outcomeOf, type Outcome } from '../outcome.js';

export interface SecretsOptions {
  /** Capacity flips after the baseline (the first one provisions); each flip is an alert on every channel. */
  flips: number;
  /** How long each wait for the daemon may take (a delivery, a Create, a stored error). */
  waitMs: number;
}

/**
 * The known secrets, each with characters that its URL-encoded and JSON-escaped forms change, so that every form
 * is a distinct string to look for.
 */
const SECRETS = {
  apiPrivateKey: 'faults-Priv/Key+7f3a"9c1e=',
  instancePassword: 'Inst-Pass#5d2b/e8+Q',
  webhookPathToken: 'hookPathToken9a8b7c6d',
  webhookQueryToken: 'query/tok+en=55aa66bb',
  webhookHmacSecret: 'hmac"secret\\7e1f0a',
  webhookHeaderToken: 'hdr-bearer-c0ffee-4321',
  smtpPassword: 'smtp-pass/hunter2+Z',
  ntfyTopic: 'ntfyTopic_3c4d5e6f7a',
  ntfyToken: 'tk_ntfytoken8899aabbcc',
} as const;
type SecretName = keyof typeof SECRETS;

/** The forms a secret may take on its way out: as is, in a URL, in base64, inside a JSON string. */
const FORMS: ReadonlyArray<readonly [string, (secret: string) => string]> = [
  ['raw', (secret) => secret],
  ['url-encoded', encodeURIComponent],
  ['base64', (secret) => Buffer.from(secret).toString('base64')],
  ['json-escaped', (secret) => JSON.stringify(secret).slice(1, -1)],
];

/** A secret's distinct forms, each with its name: a form equal to another (nothing to escape) is looked for once. */
function formsOf(secret: string): Map<string, string> {
  return new Map(FORMS.map(([form, encode]) => [encode(secret), form]));
}

/** CLI read-outs run side by side, and how long each may take (a safety net on a loaded machine, not a speed claim). */
const CLI_AT_ONCE = 2;
const CLI_TIMEOUT_MS = 40_000;

/** The SMTP login of both email channels; the failing one's server expects another password. */
const SMTP_USER = 'alerts';

/** Where the text searched came from: the summary counts occurrences per kind, failures name the place. */
type PlaceKind = 'logs' | 'stateFiles' | 'delivered' | 'cli' | 'http';
interface Place {
  kind: PlaceKind;
  name: string;
  text: string;
  /** Secrets this place is meant to hold: a channel's own credentials in the request to its own far end. */
  own?: readonly SecretName[];
}

/**
 * Runs everything with known secrets (the API private key, a provisioner's instance password, a webhook's URL
 * tokens, HMAC secret and header token, an SMTP password, an ntfy topic and token): capacity flips, a real
 * provision at the simulator, channels that fail quoting the request back, and every read-out (CLI, HTTP). Then
 * searches every log line, every file of the state directory, every delivered message, every CLI output and HTTP
 * answer for every secret in each of its forms. The simulator's request log is the far end and is not searched.
 */
export async function secrets(options: SecretsOptions): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'compshare-faults-secrets-'));
  let sim: TestSim | undefined;
  let daemon: DaemonProcess | undefined;
  const receivers: HttpReceiver[] = [];
  const smtps: TestSmtpServer[] = [];
  const startedMs = Date.now();
  try {
    sim = await startTestSim({ privateKey: SECRETS.apiPrivateKey });
    await put4090Rows(sim, [[1, 16, 64, false]]);
    const hook = await startHttpReceiver();
    // A far end that refuses and quotes the whole request back: the stored and logged error must not pass it on.
    const hookBad = await startHttpReceiver((request) => ({ status: 500, body: { echo: request } }));
    const ntfy = await startHttpReceiver(() => ({ status: 200, body: { id: 'm1', event: 'message' } }));
    receivers.push(hook, hookBad, ntfy);
    const mail = await startSmtpServer({ account: { username: SMTP_USER, password: SECRETS.smtpPassword } });
    // Expects another password, and its refusal quotes the one it was given (as careless servers do).
    const mailBad = await startSmtpServer({ account: { username: SMTP_USER, password: 'not-the-password' } });
    smtps.push(mail, mailBad);

    const env = secretsEnv(hook, hookBad);
    const db = join(dir, 'history.db');
    const configPath = writeConfig(dir, sim.url, { mail: mail.port, mailBad: mailBad.port, ntfy: ntfy.origin });
    daemon = startDaemon(configPath, env);
    let daemonStdout = '';
    daemon.child.stdout.on('data', (chunk: Buffer) => (daemonStdout += chunk.toString()));
    const wait = <T>(read: () => T | Promise<T>, until: (value: T) => boolean, what: string) => waitFor(read, until, what, { timeoutMs: options.waitMs, intervalMs: 100 });
    const count = (sql: string) => queryDb<{ n: number }>(db, sql)[0]!.n;
    await wait(() => count('SELECT COUNT(*) AS n FROM transitions'), (n) => n > 0, 'the baseline poll');

    for (let flip = 1; flip <= options.flips; flip++) {
      const available = flip % 2 === 1;
      await sim.control('PATCH', 'capacity', { zone: SIM_ZONE, gpuType: '4090', rows: [{ gpu: 1, enough: available }] });
      await wait(() => hook.requests.length, (n) => n >= flip, `alert ${flip} at the webhook`);
    }
    const testedMs = Date.now();
    await wait(() => ntfy.requests.length, (n) => n >= 1, 'a push at ntfy');
    await wait(() => mail.messages.length, (n) => n >= 1, 'an email');
    await wait(async () => (await createRequests(sim!)).length, (n) => n >= 1, 'a Create at the simulator');
    await wait(() => count('SELECT COUNT(*) AS n FROM provision_intents'), (n) => n >= 1, 'a provision intent');
    await wait(
      () => count("SELECT COUNT(DISTINCT channel) AS n FROM outbox WHERE last_error IS NOT NULL AND channel IN ('hookbad', 'mailbad')"),
      (n) => n === 2,
      'the failing channels\' errors in the outbox',
    );

    const places: Place[] = [];
    const cliRuns = [
      ['check', '--json'],
      ['status', '--json'],
      ['events', '--json'],
      ['notify', 'status'],
      ['notify', 'status', '--json'],
      ['notify', 'test', '--json'],
      ['provision', 'status', '--json'],
    ];
    // Two at a time, one per core: seven Node start-ups at once on a busy machine outlast the CLI helper's timeout.
    for (let next = 0; next < cliRuns.length; next += CLI_AT_ONCE) {
      const batch = cliRuns.slice(next, next + CLI_AT_ONCE);
      const results = await Promise.all(batch.map((args) => runCli([...args, '--config', configPath], { env, timeoutMs: CLI_TIMEOUT_MS })));
      results.forEach((result, index) => {
        const name = batch[index]!.join(' ');
        places.push({ kind: 'cli', name: `${name} stdout`, text: result.stdout }, { kind: 'cli', name: `${name} stderr`, text: result.stderr });
      });
    }
    const base = listeningUrl(daemon.stderr());
    for (const path of ['/api/state', '/api/events', '/api/history', '/metrics', '/', '/healthz']) {
      const answer = await fetch(`${base}${path}`);
      places.push({ kind: 'http', name: path, text: `${JSON.stringify(Object.fromEntries(answer.headers))}\n${await answer.text()}` });
    }
    places.push(...stateFiles(dir, 'while running'));
    daemon.child.kill('SIGTERM');
    const code = await daemon.exited;
    places.push(...stateFiles(dir, 'after shutdown'));
    places.push({ kind: 'logs', name: 'daemon stderr', text: daemon.stderr() }, { kind: 'logs', name: 'daemon stdout', text: daemonStdout });
    places.push(...requestsAt('webhook', hook, ['webhookPathToken', 'webhookQueryToken', 'webhookHeaderToken']));
    places.push(...requestsAt('failing webhook', hookBad, ['webhookPathToken', 'webhookQueryToken', 'webhookHeaderToken']));
    places.push(...requestsAt('ntfy', ntfy, ['ntfyTopic', 'ntfyToken']));
    // The messages as they arrived; the login itself (AUTH) is the far end's business and is not searched.
    for (const [name, server] of [['email', mail], ['failing email', mailBad]] as const) {
      server.messages.forEach((message, index) => {
        const headers = message.headerLines.map((line) => line.line).join('\n');
        places.push({ kind: 'delivered', name: `${name} message ${index + 1}`, text: `${headers}\n${message.text ?? ''}\n${String(message.html)}` });
      });
    }

    const found = occurrences(places);
    const failures = found.map(({ place, secret, form, times }) => `${secret} (${form}) ${times}x in ${place}`);
    // The search's own check: each channel's credentials are found where they belong, in its requests to its far end.
    const control = ownCredentialsFound(places);
    for (const secret of control.missing) failures.push(`${secret} never seen even at its own far end: the search is blind`);
    if (code !== 0) failures.push(`the daemon exited with ${code} on SIGTERM`);
    const byKind = (kind: PlaceKind) => found.filter(({ kind: of }) => of === kind).reduce((sum, { times }) => sum + times, 0);
    const counts = {
      secrets: Object.keys(SECRETS).length,
      forms: FORMS.length,
      places: places.length,
      ownCredentialsSeen: control.seen,
      alerts: hook.requests.length,
      creates: (await createRequests(sim)).length,
      logs: byKind('logs'),
      stateFiles: byKind('stateFiles'),
      delivered: byKind('delivered'),
      cli: byKind('cli'),
      http: byKind('http'),
      wallS: Math.round((Date.now() - startedMs) / 1000),
      runS: Math.round((testedMs - startedMs) / 1000),
    };
    return outcomeOf('secrets', counts, failures);
  } finally {
    if (daemon && daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.child.kill('SIGKILL');
    await daemon?.exited;
    await Promise.all([sim?.close(), ...receivers.map((receiver) => receiver.close()), ...smtps.map((server) => server.close())]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every occurrence of every form of every secret, per place, except a channel's own credentials at its far end. */
function occurrences(places: readonly Place[]): Array<{ kind: PlaceKind; place: string; secret: SecretName; form: string; times: number }> {
  const found = [];
  for (const place of places) {
    for (const [secret, value] of Object.entries(SECRETS) as Array<[SecretName, string]>) {
      if (place.own?.includes(secret)) continue;
      for (const [text, form] of formsOf(value)) {
        const times = place.text.split(text).length - 1;
        if (times > 0) found.push({ kind: place.kind, place: place.name, secret, form, times });
      }
    }
  }
  return found;
}

/** How often the places' own credentials were found (each must be, at least once, or the search finds nothing). */
function ownCredentialsFound(places: readonly Place[]): { seen: number; missing: SecretName[] } {
  const expected = new Set(places.flatMap((place) => place.own ?? []));
  const seenOf = new Map<SecretName, number>();
  for (const place of places) {
    for (const secret of place.own ?? []) {
      const times = [...formsOf(SECRETS[secret]).keys()].reduce((sum, text) => sum + place.text.split(text).length - 1, 0);
      seenOf.set(secret, (seenOf.get(secret) ?? 0) + times);
    }
  }
  return {
    seen: [...seenOf.values()].reduce((sum, times) => sum + times, 0),
    missing: [...expected].filter((secret) => (seenOf.get(secret) ?? 0) === 0),
  };
}

/**
 * A far end's requests: bodies searched for every secret; the request line and headers for every secret but the
 * channel's own credentials, which its far end is meant to get.
 */
function requestsAt(name: string, receiver: HttpReceiver, own: readonly SecretName[]): Place[] {
  return receiver.requests.flatMap((request: ReceivedRequest, index) => [
    { kind: 'delivered' as const, name: `${name} request ${index + 1} body`, text: request.body },
    { kind: 'delivered' as const, name: `${name} request ${index + 1} url and headers`, text: `${request.url}\n${JSON.stringify(request.headers)}`, own },
  ]);
}

/** Every file of the state directory (the database and its -wal and -shm, the config), as bytes read as latin1. */
function stateFiles(dir: string, when: string): Place[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      // latin1 keeps every byte as one character, so an ASCII secret is found wherever its bytes are.
      return { kind: 'stateFiles' as const, name: `${path.slice(dir.length + 1)} (${when})`, text: readFileSync(path).toString('latin1') };
    });
}

/** The status page's base URL, from the daemon's "status page and API listening" log line. */
function listeningUrl(stderr: string): string {
  for (const line of stderr.split('\n')) {
    if (line.includes('status page and API listening')) return (JSON.parse(line) as { url: string }).url.replace(/\/$/, '');
  }
  throw new Error('secrets: the daemon never said where its status page listens');
}

/** The secrets reach the daemon and the CLI only through the environment: the config file holds none of them. */
function secretsEnv(hook: HttpReceiver, hookBad: HttpReceiver): Record<string, string> {
  const query = new URLSearchParams({ key: SECRETS.webhookQueryToken }).toString();
  return {
    COMPSHARE_PUBLIC_KEY: SIM_PUBLIC_KEY,
    COMPSHARE_PRIVATE_KEY: SECRETS.apiPrivateKey,
    GRAB_PASSWORD: SECRETS.instancePassword,
    HOOK_URL: `${hook.origin}/hooks/${SECRETS.webhookPathToken}?${query}`,
    HOOK_BAD_URL: `${hookBad.origin}/hooks/${SECRETS.webhookPathToken}?${query}`,
    HOOK_SECRET: SECRETS.webhookHmacSecret,
    HOOK_AUTH: `Bearer ${SECRETS.webhookHeaderToken}`,
    SMTP_PASS: SECRETS.smtpPassword,
    NTFY_TOPIC: SECRETS.ntfyTopic,
    NTFY_TOKEN: SECRETS.ntfyToken,
  };
}

function writeConfig(dir: string, simUrl: string, far: { mail: number; mailBad: number; ntfy: string }): string {
  const webhook = (url: string) => ({ type: 'webhook', url, secret: '${HOOK_SECRET}', headers: { Authorization: '${HOOK_AUTH}' }, timeoutMs: 2000 });
  const email = (port: number) => ({
    type: 'email',
    smtp: { host: '127.0.0.1', port, secure: false, requireTLS: false, user: SMTP_USER, pass: '${SMTP_PASS}' },
    from: 'watch@example.com',
    to: ['me@example.com'],
    timeoutMs: 2000,
  });
  const config = {
    api: { baseUrl: simUrl, region: 'cn-wlcb', timeoutMs: 2000 },
    storage: { path: join(dir, 'history.db') },
    http: { listen: '127.0.0.1:0' },
    locale: 'en',
    notify: ['hook', 'hookbad', 'mail', 'mailbad', 'push'],
    delivery: { groupWindow: '0s' },
    notifiers: {
      hook: webhook('${HOOK_URL}'),
      hookbad: webhook('${HOOK_BAD_URL}'),
      mail: email(far.mail),
      mailbad: email(far.mailBad),
      push: { type: 'ntfy', server: far.ntfy, topic: '${NTFY_TOPIC}', token: '${NTFY_TOKEN}', timeoutMs: 2000 },
    },
    watches: [flippingWatch({ provision: 'grab' })],
    provisioners: {
      grab: {
        dryRun: false,
        candidates: [{ gpu: 1, cpu: 16, memGb: 64 }],
        maxHourlyPrice: 5,
        password: '${GRAB_PASSWORD}',
        stopPolicy: 'eight',
      },
    },
    stopPolicies: { eight: { select: { tag: ['nomatch'] }, maxRuntimeHours: 8 } },
  };
  const path = join(dir, 'config.yaml');
  writeFileSync(path, stringify(config));
  return path;
}
