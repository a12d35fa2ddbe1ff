import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_PATH, runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';

/** A `compshare-watch demo` child whose stdout is read as it comes, so a test can act while it runs. */
interface DemoProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

const running: DemoProcess[] = [];

function startDemo(args: readonly string[]): DemoProcess {
  const child = spawn(process.execPath, [CLI_PATH, 'demo', ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const demo = { child, stdout: () => stdout, stderr: () => stderr, exited };
  running.push(demo);
  return demo;
}

afterEach(() => {
  for (const demo of running.splice(0)) if (demo.child.exitCode === null) demo.child.kill('SIGKILL');
});

/** The value printed after `label` on the introduction's line of that name. */
function printed(output: string, label: string): string {
  const match = new RegExp(`^${label}:\\s+(\\S+)`, 'm').exec(output);
  if (!match?.[1]) throw new Error(`no "${label}:" line in the demo's output:\n${output}`);
  return match[1];
}

async function createCount(simUrl: string): Promise<number> {
  const answer = (await (await fetch(`${simUrl}/__sim/request-counts`)).json()) as { counts: Record<string, number> };
  return answer.counts.CreateCompShareInstance ?? 0;
}

describe('compshare-watch demo', () => {
  it('shows capacity flips and a dry-run grab, creates nothing, removes its temp dir and exits 0', async () => {
    const demo = startDemo(['--duration', '12']);
    await waitFor(demo.stdout, (out) => out.includes('[dry run] Would create 4090'), 'a dry-run grab alert');
    const simUrl = printed(demo.stdout(), 'Simulator');
    const tempDir = printed(demo.stdout(), 'Temp dir');
    expect(existsSync(`${tempDir}/history.db`)).toBe(true);
    expect(await createCount(simUrl)).toBe(0);
    const page = await fetch(printed(demo.stdout(), 'Status page'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('demo-4090');

    expect(await demo.exited, demo.stderr()).toBe(0);
    // A flip, not the first reading: a spec that was sold out (or available) before and changed.
    expect(demo.stdout()).toMatch(/^- .+: (sold out for \d+s before|the window lasted \d+s)(\. |$)/m);
    expect(demo.stdout()).toContain('Instances created: 0.');
    expect(existsSync(tempDir)).toBe(false);
    expect(demo.stderr()).toBe('');
  }, 25_000);

  it('stops on SIGTERM before --duration, cleaning up and exiting 0', async () => {
    const demo = startDemo([]);
    await waitFor(demo.stdout, (out) => out.includes('Running until Ctrl-C'), 'the demo to start');
    const tempDir = printed(demo.stdout(), 'Temp dir');
    demo.child.kill('SIGTERM');
    expect(await demo.exited, demo.stderr()).toBe(0);
    expect(existsSync(tempDir)).toBe(false);
    expect(demo.stdout()).toContain(`Removed ${tempDir}.`);
  });

  it.each([
    [['--duration', '0'], '--duration: expected an integer from 1 to 86400, got "0"'],
    [['--duration', '2h'], '--duration: expected an integer from 1 to 86400, got "2h"'],
    [['--port', '70000'], '--port: expected an integer from 0 to 65535, got "70000"'],
  ])('refuses %j with one line and exit 2', async (args, message) => {
    const result = await runCli(['demo', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`compshare-watch: ${message}\n`);
  });
});
