import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SimAction } from '../../src/sim/action.js';
import { simActions } from '../../src/sim/actions/index.js';

const folder = new URL('../../src/sim/actions/', import.meta.url);
const actionFiles = readdirSync(folder).filter((file) => file.endsWith('.ts') && file !== 'index.ts');

function isSimAction(value: unknown): value is SimAction {
  return typeof value === 'object' && value !== null && 'name' in value && 'handle' in value;
}

describe('simulator action registry', () => {
  it('registers exactly one action per file in src/sim/actions', async () => {
    const exported: SimAction[] = [];
    for (const file of actionFiles) {
      const module = (await import(new URL(file, folder).href)) as Record<string, unknown>;
      const actions = Object.values(module).filter(isSimAction);
      expect(actions, file).toHaveLength(1);
      exported.push(...actions);
    }
    expect(exported.map((action) => simActions.get(action.name))).toEqual(exported);
    expect(simActions.size).toBe(actionFiles.length);
  });
});
