import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createChannel, type NotifierConfig } from '../../src/notify/channels/index.js';
import { installFakeNotifySend } from '../helpers/fake-notify-send.js';
import { closedPort, startHttpReceiver, type ReceivedRequest, type Reply } from '../helpers/http-receiver.js';
import { deliveryError, notifierConfig, sampleMessage, testDeps } from '../helpers/notify.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { useTempDir } from '../helpers/temp-dir.js';

type Refusal = 'transient' | 'permanent';

/** A far end a channel delivers to, started for one test. */
interface FarEnd {
  config: NotifierConfig;
  /** The environment the channel is created with (read when it is created). */
  env(): NodeJS.ProcessEnv;
  /** How many messages the far end accepted. */
  accepted(): number;
  /** Refuse what follows the way this far end refuses; `undefined` accepts again. */
  refuse(kind: Refusal | undefined): void;
  /** What must never appear in an error. */
  secrets: readonly string[];
  close(): Promise<void>;
}

interface Harness {
  type: string;
  start(): Promise<FarEnd>;
  /** A config for a far end that is not there; absent where there is no far end (desktop). */
  down?(): Promise<NotifierConfig>;
  /** False where the channel cannot be exercised on this machine; it still counts as covered. */
  runsHere?: boolean;
  /** False for a channel with nothing that can refuse (console): the refusal cases do not apply. */
  refuses?: boolean;
}

/** Every refusal quotes the request back, URL and headers included, as careless servers do. */
const echo = (request: ReceivedRequest) => `${request.url} ${JSON.stringify(request.headers)}`;

function httpHarness(
  type: string,
  configFor: (origin: string) => Record<string, unknown>,
  secrets: readonly string[],
  answers: { accept: Reply; transient: (request: ReceivedRequest) => Reply; permanent: (request: ReceivedRequest) => Reply },
): Harness {
  return {
    type,
    async start() {
      const receiver = await startHttpReceiver(() => answers.accept);
      let accepted = 0;
      let refusal: Refusal | undefined;
      receiver.reply((request) => {
        if (refusal !== undefined) return answers[refusal](request);
        accepted += 1;
        return answers.accept;
      });
      return {
        config: notifierConfig(configFor(receiver.origin)),
        env: () => ({}),
        accepted: () => accepted,
        refuse: (kind) => {
          refusal = kind;
        },
        secrets,
        close: () => receiver.close(),
      };
    },
    down: async () => notifierConfig({ ...configFor(`http://127.0.0.1:${await closedPort()}`), timeoutMs: 2_000 }),
  };
}

const WEBHOOK_TOKEN = 'path-token-5b1f0c2e9a';
const WEBHOOK_QUERY_TOKEN = 'query-token-77aa01';
const WEBHOOK_BEARER = 'Bearer header-token-c0ffee';
const WEBHOOK_SECRET = 'webhook-signing-secret';
const WECOM_KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
const DINGTALK_TOKEN = 'dingtalk-access-token-0123456789';
const DINGTALK_SECRET = 'SECdingtalk-secret-abcdef';
const FEISHU_TOKEN = 'feishu-hook-token-2f9c1e7d';
const FEISHU_SECRET = 'feishu-signing-secret-xyz';
const NTFY_TOPIC = 'compshare-alerts-7f3e9a1c';
const NTFY_TOKEN = 'tk_ntfyaccesstoken0123456789ab';
const TELEGRAM_TOKEN = '123456789:AAHtelegramBotSecretPart_0123456789';
const SMTP_PASS = 'smtp-password-hunter2';
const SERVERCHAN_SENDKEY = 'SCT271828TsendkeyE9c4b0a1';
const PUSHPLUS_TOKEN = 'pushplus-token-0f1e2d3c4b5a6978';
const BARK_KEY = 'barkDeviceKey7Hq2Zx9';

const tempDir = useTempDir();

/** node-notifier drives notify-send only on Linux; elsewhere there is nothing to fake. */
const desktopHarness: Harness = {
  type: 'desktop',
  runsHere: process.platform === 'linux',
  async start() {
    const fake = installFakeNotifySend(tempDir());
    vi.stubEnv('PATH', `${fake.dir}:${process.env.PATH ?? ''}`);
    let noBus = false;
    return {
      config: notifierConfig({ type: 'desktop' }),
      env: () => (noBus ? {} : { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' }),
      accepted: () => fake.calls().filter((call) => call.exitCode === 0).length,
      refuse: (kind) => {
        // A desktop's lasting refusal is a missing session bus; a passing one, notify-send failing once.
        noBus = kind === 'permanent';
        fake.fail(kind === 'transient' ? 1 : 0, kind === 'transient' ? 'GDBus.Error: Timeout was reached' : undefined);
      },
      secrets: [],
      close: async () => undefined,
    };
  },
};

function emailConfig(port: number) {
  return {
    type: 'email',
    smtp: { host: '127.0.0.1', port, user: 'alerts', pass: SMTP_PASS, requireTLS: false },
    from: 'compshare-watch <alerts@example.com>',
    to: ['me@example.com'],
  };
}

/** The console has no far end: what it accepted is what reached stdout, one write per message. */
const consoleHarness: Harness = {
  type: 'console',
  refuses: false,
  async start() {
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    return {
      config: notifierConfig({ type: 'console' }),
      env: () => ({}),
      accepted: () => printed.filter((block) => block.includes(sampleMessage.title) && block.includes(sampleMessage.text)).length,
      refuse: () => undefined,
      secrets: [],
      close: async () => write.mockRestore(),
    };
  },
};

const harnesses: Harness[] = [
  httpHarness(
    'webhook',
    (origin) => ({
      type: 'webhook',
      url: `${origin}/hooks/${WEBHOOK_TOKEN}?token=${WEBHOOK_QUERY_TOKEN}`,
      headers: { Authorization: WEBHOOK_BEARER },
      secret: WEBHOOK_SECRET,
    }),
    [WEBHOOK_TOKEN, WEBHOOK_QUERY_TOKEN, WEBHOOK_BEARER, WEBHOOK_SECRET],
    {
      accept: { status: 204, body: '' },
      transient: (request) => ({ status: 503, body: `overloaded: ${echo(request)}` }),
      permanent: (request) => ({ status: 403, body: `forbidden: ${echo(request)}` }),
    },
  ),
  httpHarness(
    'wecom',
    (origin) => ({ type: 'wecom', url: `${origin}/cgi-bin/webhook/send?key=${WECOM_KEY}` }),
    [WECOM_KEY],
    {
      accept: { status: 200, body: { errcode: 0, errmsg: 'ok' } },
      transient: (request) => ({ status: 200, body: { errcode: 45009, errmsg: `api freq out of limit, ${echo(request)}` } }),
      permanent: (request) => ({ status: 200, body: { errcode: 93000, errmsg: `invalid webhook url, ${echo(request)}` } }),
    },
  ),
  httpHarness(
    'dingtalk',
    (origin) => ({ type: 'dingtalk', url: `${origin}/robot/send?access_token=${DINGTALK_TOKEN}`, secret: DINGTALK_SECRET }),
    [DINGTALK_TOKEN, DINGTALK_SECRET],
    {
      accept: { status: 200, body: { errcode: 0, errmsg: 'ok' } },
      transient: (request) => ({ status: 200, body: { errcode: 130101, errmsg: `send too fast, ${echo(request)}` } }),
      permanent: (request) => ({ status: 200, body: { errcode: 310000, errmsg: `sign not match, ${echo(request)}` } }),
    },
  ),
  httpHarness(
    'feishu',
    (origin) => ({ type: 'feishu', url: `${origin}/open-apis/bot/v2/hook/${FEISHU_TOKEN}`, secret: FEISHU_SECRET }),
    [FEISHU_TOKEN, FEISHU_SECRET],
    {
      accept: { status: 200, body: { code: 0, msg: 'success', data: {} } },
      transient: (request) => ({ status: 200, body: { code: 11232, msg: `frequency limited, ${echo(request)}` } }),
      permanent: (request) => ({ status: 400, body: { code: 19021, msg: `sign match fail, ${echo(request)}` } }),
    },
  ),
  httpHarness(
    'ntfy',
    (origin) => ({ type: 'ntfy', server: origin, topic: NTFY_TOPIC, token: NTFY_TOKEN }),
    [NTFY_TOPIC, NTFY_TOKEN],
    {
      accept: { status: 200, body: { id: 'sPs71M8A2T', time: 1795000000, event: 'message', topic: NTFY_TOPIC, message: 'x' } },
      transient: (request) => ({ status: 429, body: { code: 42901, http: 429, error: `limit reached, ${echo(request)}` } }),
      permanent: (request) => ({ status: 401, body: { code: 40101, http: 401, error: `unauthorized, ${echo(request)}` } }),
    },
  ),
  httpHarness(
    'telegram',
    (origin) => ({ type: 'telegram', botToken: TELEGRAM_TOKEN, chatId: 123456789, baseUrl: origin }),
    [TELEGRAM_TOKEN],
    {
      accept: { status: 200, body: { ok: true, result: { message_id: 1, chat: { id: 123456789 }, text: 'x' } } },
      transient: (request) => ({
        status: 429,
        body: { ok: false, error_code: 429, description: `Too Many Requests: retry after 3, ${echo(request)}`, parameters: { retry_after: 3 } },
      }),
      permanent: (request) => ({ status: 200, body: { ok: false, error_code: 400, description: `Bad Request: chat not found, ${echo(request)}` } }),
    },
  ),
  httpHarness(
    'serverchan',
    (origin) => ({ type: 'serverchan', sendKey: SERVERCHAN_SENDKEY, baseUrl: origin }),
    [SERVERCHAN_SENDKEY],
    {
      accept: { status: 200, body: { code: 0, message: '', data: { pushid: '1', error: 'SUCCESS', errno: 0 } } },
      transient: (request) => ({ status: 503, body: `upstream busy: ${echo(request)}` }),
      permanent: (request) => ({ status: 200, body: { code: 40001, message: `bad pushtoken ${echo(request)}`, data: null } }),
    },
  ),
  httpHarness(
    'pushplus',
    (origin) => ({ type: 'pushplus', token: PUSHPLUS_TOKEN, baseUrl: origin }),
    [PUSHPLUS_TOKEN],
    {
      accept: { status: 200, body: { code: 200, msg: '请求成功', data: 'a1b2c3' } },
      transient: (request) => ({ status: 200, body: { code: 500, msg: `系统异常，请稍后再试 ${echo(request)} ${request.body}`, data: null } }),
      permanent: (request) => ({ status: 200, body: { code: 903, msg: `无效的用户令牌 ${echo(request)} ${request.body}`, data: null } }),
    },
  ),
  httpHarness(
    'bark',
    (origin) => ({ type: 'bark', key: BARK_KEY, server: origin }),
    [BARK_KEY],
    {
      accept: { status: 200, body: { code: 200, message: 'success', timestamp: 1795000000 } },
      transient: (request) => ({ status: 500, body: { code: 500, message: `push failed: ${request.body}`, timestamp: 1795000000 } }),
      permanent: (request) => ({ status: 400, body: { code: 400, message: `failed to get device token: ${request.body}`, timestamp: 1795000000 } }),
    },
  ),
  {
    type: 'email',
    async start() {
      const server = await startSmtpServer({ account: { username: 'alerts', password: SMTP_PASS } });
      return {
        config: notifierConfig(emailConfig(server.port)),
        env: () => ({}),
        accepted: () => server.messages.length,
        refuse: (kind) =>
          server.refuseData(
            kind === undefined
              ? undefined
              : kind === 'transient'
                ? { responseCode: 451, message: 'try again later' }
                : { responseCode: 554, message: 'message rejected' },
          ),
        secrets: [SMTP_PASS],
        close: () => server.close(),
      };
    },
    down: async () => notifierConfig({ ...emailConfig(await closedPort()), timeoutMs: 2_000 }),
  },
  desktopHarness,
  consoleHarness,
];

describe('channel conformance harnesses', () => {
  it('cover every channel file in src/notify/channels: a new channel needs a harness here', () => {
    const folder = new URL('../../src/notify/channels/', import.meta.url);
    const channelTypes = readdirSync(folder)
      .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
      .map((file) => file.replace(/\.ts$/, ''));
    expect(harnesses.map((harness) => harness.type).sort()).toEqual(channelTypes.sort());
  });
});

describe.each(harnesses.filter((harness) => harness.runsHere !== false))('$type channel conformance', (harness) => {
  let farEnd: FarEnd | undefined;
  afterEach(async () => {
    await farEnd?.close();
    farEnd = undefined;
    vi.unstubAllEnvs();
  });

  const open = async () => {
    farEnd = await harness.start();
    return farEnd;
  };
  const channelFor = (end: FarEnd) => createChannel(`${harness.type}-test`, end.config, testDeps(end.env()));
  const delivery = { message: sampleMessage, deliveryId: 'delivery-1' };

  it('delivers a message the far end accepts', async () => {
    const end = await open();
    const channel = channelFor(end);
    await channel.send(delivery);
    expect(end.accepted()).toBe(1);
    expect(channel.type).toBe(harness.type);
    await channel.close?.();
  });

  const refusing = harness.refuses === false ? it.skip : it;
  refusing.each<Refusal>(['transient', 'permanent'])('reports a %s refusal as such, without a secret', async (kind) => {
    const end = await open();
    end.refuse(kind);
    const channel = channelFor(end);
    const error = await deliveryError(channel.send(delivery));
    expect(error.permanent).toBe(kind === 'permanent');
    for (const secret of end.secrets) expect(error.message).not.toContain(secret);
    expect(end.accepted()).toBe(0);
    await channel.close?.();
  });

  refusing('delivers again with the same instance once a passing refusal is over', async () => {
    const end = await open();
    end.refuse('transient');
    const channel = channelFor(end);
    await deliveryError(channel.send(delivery));
    end.refuse(undefined);
    await channel.send(delivery);
    expect(end.accepted()).toBe(1);
    await channel.close?.();
  });

  // Only channels with a far end over the network can find it down (desktop has none).
  const { down } = harness;
  if (down !== undefined) {
    it('reports a far end that is down as transient', async () => {
      const channel = createChannel(`${harness.type}-down`, await down(), testDeps());
      const error = await deliveryError(channel.send(delivery));
      expect(error.permanent).toBe(false);
      await channel.close?.();
    });
  }
});
