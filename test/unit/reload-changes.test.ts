import { describe, expect, it } from 'vitest';
import type { LoadedConfig } from '../../src/config/load.js';
import type { WatchConfig } from '../../src/config/schema.js';
import { watchChanges } from '../../src/daemon/reload.js';

const watch = (name: string, schedule = '*/20 * * * * *') => ({ name, schedule, zone: 'cn-wlcb-01' }) as unknown as WatchConfig;
const loaded = (...watches: WatchConfig[]) => ({ config: { watches } }) as unknown as LoadedConfig;

describe('what a reload says it changed', () => {
  it('names the watches added, removed and changed in any field', () => {
    const before = loaded(watch('kept'), watch('edited'), watch('dropped'));
    const after = loaded(watch('kept'), watch('edited', '*/5 * * * * *'), watch('new'));
    expect(watchChanges(before, after)).toEqual({ added: ['new'], removed: ['dropped'], changed: ['edited'] });
  });

  it('names nothing when the watches are the same', () => {
    expect(watchChanges(loaded(watch('a')), loaded(watch('a')))).toEqual({ added: [], removed: [], changed: [] });
  });
});
