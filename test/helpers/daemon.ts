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

/** Reads the daemon's database the way another process would (read-only, WAL). */
export function queryDb<T>(path: string, sql: string): T[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}
