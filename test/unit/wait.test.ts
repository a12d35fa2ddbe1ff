import { afterEach, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../helpers/wait.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('waitFor', () => {
  it('awaits an async read and returns the first value that satisfies the predicate', async () => {
    let reads = 0;
    const value = await waitFor(async () => ++reads, (n) => n >= 3, 'three reads', { intervalMs: 1 });
    expect(value).toBe(3);
  });

  it('treats a read that throws as not yet', async () => {
    let reads = 0;
    const read = async (): Promise<string> => {
      reads += 1;
      if (reads < 2) throw new Error('not created yet');
      return 'there';
    };
    await expect(waitFor(read, (value) => value === 'there', 'the file', { intervalMs: 1 })).resolves.toBe('there');
  });

  it('throws on timeout, naming what it waited for and the last value', async () => {
    vi.useFakeTimers();
    const waiting = waitFor(async () => ({ rows: 1 }), (value) => value.rows === 2, 'the second row', { timeoutMs: 1_000 });
    const failed = expect(waiting).rejects.toThrow('timed out after 1000 ms waiting for the second row; last value: {"rows":1}');
    await vi.advanceTimersByTimeAsync(1_100);
    await failed;
  });

  it('names the last error when every read failed', async () => {
    vi.useFakeTimers();
    const waiting = waitFor(() => Promise.reject(new Error('ENOENT')), Boolean, 'the pid file', { timeoutMs: 100 });
    const failed = expect(waiting).rejects.toThrow('waiting for the pid file; last error: Error: ENOENT');
    await vi.advanceTimersByTimeAsync(200);
    await failed;
  });
});
