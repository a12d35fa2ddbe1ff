import { describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../../src/sim/request-log.js';
import { detectToCreateMs, killPhase } from '../bench/grab.js';

function entry(action: string, receivedMs: number, answeredMs: number | null): RequestLogEntry {
  return { time: 0, receivedMs, answeredMs, action, params: {}, retCode: answeredMs === null ? null : 0, httpStatus: null, fault: null };
}

const poll = (receivedMs: number, answeredMs: number | null) => entry('CheckCompShareResourceCapacity', receivedMs, answeredMs);
const create = (receivedMs: number, answeredMs: number | null) => entry('CreateCompShareInstance', receivedMs, answeredMs);

describe('detectToCreateMs (the bench figure)', () => {
  it('times each Create from the last poll answered before it, not from a later or unanswered one', () => {
    const log = [poll(1000, 1001), create(1005.5, 1006), poll(2000, 2002), poll(3000, null), create(3003, 3004), poll(4000, 4001)];
    expect(detectToCreateMs(log)).toEqual([4.5, 1001]);
  });

  it('leaves out a Create that no answered poll precedes', () => {
    expect(detectToCreateMs([create(5, 6), poll(10, 11)])).toEqual([]);
  });
});

describe('killPhase (where a crash bench kill landed)', () => {
  const creates = [create(100, 120)];
  it.each([
    [99, 'before'],
    [100, 'during'],
    [119, 'during'],
    [120, 'after'],
  ] as const)('a kill at %d ms is %s the Create', (killedAtMs, phase) => {
    expect(killPhase(creates, killedAtMs)).toBe(phase);
  });

  it('counts a Create whose answer was lost as in flight, however late the kill', () => {
    expect(killPhase([create(100, null)], 10_000)).toBe('during');
  });
});
