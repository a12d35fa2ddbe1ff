import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI_PATH = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** How long a CLI run may take before the test fails naming it; below the 20 s test timeout so that this message wins. */
const CLI_TIMEOUT_MS = 15_000;

export interface CliOptions {
  env?: Record<string, string>;
  cwd?: string;
  input?: string;
  /** A run still going after this long is killed and fails the test (e.g. a `run` that should have refused). */
  timeoutMs?: number;
}

/** Runs the built CLI as a user would, with a clean environment plus `env`. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timeoutMs = options.timeoutMs ?? CLI_TIMEOUT_MS;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`compshare-watch ${args.join(' ')} still running after ${timeoutMs} ms; stderr so far: ${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/**
 * The HTTP section of test configs: a free port, so daemons of parallel tests never compete for the default 9477
 * (the log line "status page and API listening" names the port).
 */
export const TEST_HTTP = 'http: { listen: "127.0.0.1:0" }\n';

/** Writes a config file for a simulator into `dir` and returns its path; `extra` may give its own `http:`. */
export function writeSimConfig(dir: string, simUrl: string, extra = ''): string {
  const path = join(dir, 'config.yaml');
  writeFileSync(
    path,
    `${/^http:/m.test(extra) ? '' : TEST_HTTP}api:
  baseUrl: ${simUrl}
  region: cn-wlcb
  timeoutMs: 2000
storage:
  path: ${join(dir, 'history.db')}
watches:
  - name: w4090
    schedule: "*/1 * * * * *"
    zone: cn-wlcb-01
    gpuType: "4090"
    imageId: compshareImage-test
    chargeType: Dynamic
    disks: [{ isBoot: true, type: CLOUD_SSD, size: 60 }]
    match: { gpu: [1, 2] }
${extra}`,
  );
  return path;
}
