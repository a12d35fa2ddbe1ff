import { expect, it } from 'vitest';
import { recordOutcome } from './outcome.js';
import { configFuzz } from './scenarios/config-fuzz.js';

it('config-fuzz (subset): mutated configs load or are refused with exit 2 and lines naming the file, never a stack', async () => {
  const outcome = await configFuzz({ spawned: 6, inProcess: 74, seed: 7 });
  recordOutcome(outcome);
  expect(outcome.failures).toEqual([]);
}, 60_000);
