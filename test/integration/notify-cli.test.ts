import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { notifyCommand } from '../../src/cli/commands/notify.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { closedPort, startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';
import { useTempDir } from '../helpers/temp-dir.js';

const WECOM_KEY = 'wecom-key-that-must-stay-secret';

/** Runs `notify ...` in-process; returns what it printed and the exit code it set. */
async function runNotify(args: string[]): Promise<{ stdout: string; exitCode: number | undefined }> {
  const written: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  // Logs (pino, on stderr) are not what is under test.
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  process.exitCode = undefined;
  try {
    await notifyCommand().exitOverride().parseAsync(args, { from: 'user' });
    return { stdout: written.join(''), exitCode: process.exitCode };
  } finally {
    process.exitCode = undefined;
    vi.restoreAllMocks();
  }
}

describe('compshare-watch notify test', () => {
  const tempDir = useTempDir();
  let receiver: HttpReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
  });

  async function writeConfig(locale = 'en'): Promise<string> {
    receiver = await startHttpReceiver();
    const path = join(tempDir(), 'config.yaml');
    writeFileSync(
      path,
      `credentials: { publicKey: p, privateKey: s }
locale: ${locale}
timezone: UTC
notifiers:
  hook:
    type: webhook
    url: ${receiver.origin}/hook
  team:
    type: wecom
    url: http://127.0.0.1:${await closedPort()}/cgi-bin/webhook/send?key=${WECOM_KEY}
    timeoutMs: 2000
`,
    );
    return path;
  }

  it('sends a test message through every notifier and prints OK or the error for each; exit 1 when one failed', async () => {
    const path = await writeConfig();
    const { stdout, exitCode } = await runNotify(['test', '-c', path]);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NOTIFIER\s+TYPE\s+RESULT$/);
    expect(lines[1]).toMatch(/^hook\s+webhook\s+OK$/);
    expect(lines[2]).toMatch(/^team\s+wecom\s+FAILED \(temporary\): WeCom: cannot reach 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
    expect(stdout).not.toContain(WECOM_KEY);
    expect(exitCode).toBe(1);
    const body = JSON.parse(receiver?.requests[0]?.body ?? '') as { title: string; event: { type: string } };
    expect(body.title).toBe('compshare-watch test message');
    expect(body.event.type).toBe('notify.test');
  });

  it('sends through one notifier with --channel, as JSON with --json', async () => {
    const path = await writeConfig('zh-CN');
    const { stdout, exitCode } = await runNotify(['test', '-c', path, '--channel', 'hook', '--json']);
    expect(JSON.parse(stdout)).toEqual([{ notifier: 'hook', type: 'webhook', ok: true }]);
    expect(exitCode).toBeUndefined();
    expect(receiver?.requests).toHaveLength(1);
    expect((JSON.parse(receiver?.requests[0]?.body ?? '') as { title: string }).title).toBe('compshare-watch 测试消息');
  });

  it('reports the failure in --json with whether it is permanent', async () => {
    const path = await writeConfig();
    const { stdout } = await runNotify(['test', '-c', path, '--channel', 'team', '--json']);
    expect(JSON.parse(stdout)).toEqual([
      { notifier: 'team', type: 'wecom', ok: false, error: expect.stringContaining('ECONNREFUSED') as unknown, permanent: false },
    ]);
  });

  it('refuses an unknown --channel, naming the configured ones', async () => {
    const path = await writeConfig();
    await expect(runNotify(['test', '-c', path, '--channel', 'nope'])).rejects.toThrow(
      new UsageError('unknown notifier "nope" (configured: hook, team)'),
    );
  });

  it('says so when no notifier is configured', async () => {
    const path = join(tempDir(), 'empty.yaml');
    writeFileSync(path, 'credentials: { publicKey: p, privateKey: s }\n');
    await expect(runNotify(['test', '-c', path])).rejects.toThrow('the config has no notifiers; add one under notifiers:');
  });
});
