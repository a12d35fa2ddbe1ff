import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';

function captured(env: NodeJS.ProcessEnv): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const log = createLogger({ level: 'trace', pretty: false, env, destination: { write: (line: string) => lines.push(line) } });
  return { lines, log };
}

describe('log lines under systemd', () => {
  it('start with the journald priority of their level when JOURNAL_STREAM is set', () => {
    const { lines, log } = captured({ JOURNAL_STREAM: '8:12345' });
    log.trace('t');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    log.fatal('f');
    expect(lines.map((line) => line.slice(0, 3))).toEqual(['<7>', '<7>', '<6>', '<4>', '<3>', '<3>']);
    // One line each, and the rest of it is the JSON pino writes anyway.
    expect(lines).toHaveLength(6);
    expect(JSON.parse(lines[3]!.slice(3))).toMatchObject({ level: 40, msg: 'w' });
  });

  it('keep the bindings of child loggers and still redact secrets', () => {
    const { lines, log } = captured({ JOURNAL_STREAM: '8:12345' });
    log.child({ watch: 'w4090' }).warn({ token: 'hunter2' }, 'poll failed');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.startsWith('<4>{')).toBe(true);
    expect(JSON.parse(lines[0]!.slice(3))).toMatchObject({ watch: 'w4090', token: '[redacted]' });
  });

  it('are plain JSON lines without JOURNAL_STREAM', () => {
    const { lines, log } = captured({});
    log.error('e');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 50, msg: 'e' });
  });
});
