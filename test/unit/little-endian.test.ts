import { describe, expect, it } from 'vitest';
import { int32sLE, uint32sLE } from '../../src/util/little-endian.js';

describe('little-endian int arrays of a blob', () => {
  const values = [0, 1, 0x01020304, 0xfffffffe];
  const bytes = (at: number) => {
    const buffer = Buffer.alloc(at + 4 * values.length);
    values.forEach((value, index) => buffer.writeUInt32LE(value, at + 4 * index));
    return buffer;
  };

  it('reads aligned bytes (a view) and unaligned ones (a copy) alike', () => {
    expect(Array.from(uint32sLE(bytes(0), 0, 4))).toEqual(values);
    expect(Array.from(uint32sLE(bytes(3), 3, 4))).toEqual(values);
    const unaligned = Buffer.from(bytes(1).buffer, 1, 16);
    expect(Array.from(uint32sLE(unaligned, 0, 4))).toEqual(values);
    expect(Array.from(int32sLE(unaligned, 0, 4))).toEqual([0, 1, 0x01020304, -2]);
    expect(Array.from(int32sLE(bytes(0), 4, 3))).toEqual([1, 0x01020304, -2]);
  });
});
