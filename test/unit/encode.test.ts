import { describe, expect, it } from 'vitest';
import { encodeScalar, flattenParams, formBody } from '../../src/compshare/encode.js';

describe('flattenParams', () => {
  it('flattens a Disks list of objects like the official SDKs', () => {
    expect(
      flattenParams({
        Disks: [
          { IsBoot: true, Type: 'CLOUD_SSD', Size: 60 },
          { IsBoot: false, Type: 'CLOUD_RSSD', Size: 500 },
        ],
      }),
    ).toEqual({
      'Disks.0.IsBoot': 'true',
      'Disks.0.Type': 'CLOUD_SSD',
      'Disks.0.Size': '60',
      'Disks.1.IsBoot': 'false',
      'Disks.1.Type': 'CLOUD_RSSD',
      'Disks.1.Size': '500',
    });
  });

  it('numbers scalar lists from 0', () => {
    expect(flattenParams({ UHostIds: ['uhost-a', 'uhost-b'] })).toEqual({
      'UHostIds.0': 'uhost-a',
      'UHostIds.1': 'uhost-b',
    });
  });

  it('flattens nested objects with dots', () => {
    expect(flattenParams({ Outer: { Inner: { Leaf: 1 } } })).toEqual({ 'Outer.Inner.Leaf': '1' });
  });

  it('sends nothing for empty lists, null and undefined', () => {
    expect(flattenParams({ Empty: [], Nothing: null, Missing: undefined, Kept: '' })).toEqual({ Kept: '' });
  });
});

describe('encodeScalar', () => {
  it.each([
    [true, 'true'],
    [false, 'false'],
    [42, '42'],
    [42.0, '42'],
    [1.5, '1.5'],
    [-3, '-3'],
    [1e21, '1000000000000000000000'],
    [1e-7, '0.0000001'],
    ['4090', '4090'],
  ] as const)('encodes %s as %s', (value, expected) => {
    expect(encodeScalar(value)).toBe(expected);
  });

  it('refuses non-finite numbers', () => {
    expect(() => encodeScalar(Number.NaN)).toThrow(/non-finite/);
  });
});

describe('formBody', () => {
  it('url-encodes keys and values', () => {
    expect(formBody({ 'Disks.0.Type': 'CLOUD SSD', Name: '算力' })).toBe('Disks.0.Type=CLOUD+SSD&Name=%E7%AE%97%E5%8A%9B');
  });
});
