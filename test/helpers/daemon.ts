import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import Database from 'better-sqlite3';
import { CLI_PATH } from './cli.js';

/** A `compshare-watch run` child process whose log lines are collected. */
export interface DaemonProcess {
  child: ChildProcessWithoutNullStreams;
  stderr(): string;
  exited: Promise<number | null>;
}

export function startDaemon(configPath: string, env: Record<string, string>): DaemonProcess {
  const child = spawn(process.execPath, [CLI_PATH, 'run', '--config', configPath], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

/** Polls `read` until `done` holds or the bound passes; the bound is a safety net, not a speed assertion. */
export async function waitFor<T>(read: () => T, done: (value: T) => boolean, what: string, boundMs = 20_000): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    let value: T | undefined;
    let failure: unknown;
    try {
      value = read();
      if (done(value)) return value;
    } catch (error) {
      // Not there yet (e.g. the database file is still being created).
      failure = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)} ${failure ? String(failure) : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Reads the daemon's database the way another process would (read-only, WAL). */
export function queryDb<T>(path: string, sql: string): T[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}
