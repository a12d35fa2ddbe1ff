import { describe, expect, it } from 'vitest';
import { capacityRows, MAX_CAPACITY_ROWS } from '../../src/compshare/actions/check-capacity.js';

const answer = (body: Record<string, unknown>) => ({ body, requestUuid: 'req-1' });
const spec = (fields: Record<string, unknown> = {}) => ({ Gpu: 1, Cpu: 16, Mem: 64, ResourceEnough: true, ...fields });

// The usual answer takes a quicker path than the schema; both must read every answer alike, and the quick one must
// let nothing through that the schema refuses.
describe('capacity rows', () => {
  it('reads the usual answer, ignoring fields it does not know', () => {
    expect(capacityRows(answer({ Specs: [spec({ Extra: 'x' }), spec({ Gpu: 2, ResourceEnough: false })] }))).toEqual([
      { gpu: 1, cpu: 16, mem: 64, resourceEnough: true },
      { gpu: 2, cpu: 16, mem: 64, resourceEnough: false },
    ]);
  });

  it('reads numeric strings and "true"/"false" the way plain values read, in a row next to plain ones', () => {
    expect(capacityRows(answer({ Specs: [spec(), spec({ Gpu: '2', Mem: '128', ResourceEnough: 'false' })] }))).toEqual([
      { gpu: 1, cpu: 16, mem: 64, resourceEnough: true },
      { gpu: 2, cpu: 16, mem: 128, resourceEnough: false },
    ]);
  });

  it('reads an empty Specs as no rows', () => {
    expect(capacityRows(answer({ Specs: [] }))).toEqual([]);
  });

  it.each([
    ['a zero size', { Specs: [spec({ Gpu: 0 })] }, 'Specs[0].Gpu'],
    ['a negative size', { Specs: [spec({ Cpu: -16 })] }, 'Specs[0].Cpu'],
    ['a fractional size', { Specs: [spec({ Mem: 1.5 })] }, 'Specs[0].Mem'],
    ['a size past the safe integers', { Specs: [spec({ Mem: 2 ** 53 })] }, 'Specs[0].Mem'],
    ['a size that is not a number', { Specs: [spec(), spec({ Gpu: true })] }, 'Specs[1].Gpu'],
    ['a missing size', { Specs: [{ Gpu: 1, Cpu: 16, ResourceEnough: true }] }, 'Specs[0].Mem'],
    ['an availability that is not a boolean', { Specs: [spec({ ResourceEnough: 1 })] }, 'Specs[0].ResourceEnough'],
    ['a row that is not an object', { Specs: [null] }, 'Specs[0]'],
    ['Specs that is not a list', { Specs: { Gpu: 1 } }, 'Specs'],
    ['no Specs', {}, 'Specs'],
    ['too many rows', { Specs: Array.from({ length: MAX_CAPACITY_ROWS + 1 }, () => spec()) }, `Specs: more than ${MAX_CAPACITY_ROWS} rows`],
  ])('refuses %s, naming where', (_what, body, where) => {
    expect(() => capacityRows(answer(body))).toThrow(`CheckCompShareResourceCapacity failed: malformed response: ${where}`);
  });
});
