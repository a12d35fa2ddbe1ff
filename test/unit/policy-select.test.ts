import { describe, expect, it } from 'vitest';
import { globToRegExp, selects, type Selector } from '../../src/policy/select.js';

const box = { id: 'uhost-1', name: 'grab-4090-a', tag: 'training', zone: 'cn-wlcb-01', gpuType: '4090' };

describe('selects', () => {
  it.each<[string, Selector, boolean]>([
    ['tag listed', { tag: ['inference', 'training'] }, true],
    ['tag not listed', { tag: ['inference'] }, false],
    ['tag is exact, not a glob or prefix', { tag: ['train'] }, false],
    ['name glob', { name: ['grab-*'] }, true],
    ['name glob, one of several', { name: ['dev-*', '*-a'] }, true],
    ['name glob with ?', { name: ['grab-4090-?'] }, true],
    ['name glob must match the whole name', { name: ['grab'] }, false],
    ['id', { ids: ['uhost-2', 'uhost-1'] }, true],
    ['zone and GPU type', { zone: ['cn-wlcb-01'], gpuType: ['4090'] }, true],
    ['every field given must match', { tag: ['training'], gpuType: ['5090'] }, false],
    ['all five', { tag: ['training'], name: ['grab-*'], ids: ['uhost-1'], zone: ['cn-wlcb-01'], gpuType: ['4090'] }, true],
  ])('%s', (_case, selector, expected) => {
    expect(selects(selector, box)).toBe(expected);
  });
});

describe('globToRegExp', () => {
  it('treats everything but * and ? literally', () => {
    expect(globToRegExp('a.b+(c)[d]$').test('a.b+(c)[d]$')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('*').test('')).toBe(true);
  });

  it('is case-sensitive, like instance names', () => {
    expect(globToRegExp('Grab-*').test('grab-1')).toBe(false);
  });
});
