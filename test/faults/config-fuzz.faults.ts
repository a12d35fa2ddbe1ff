import { expect, it } from 'vitest';
import { recordOutcome } from './outcome.js';
import { configFuzz } from './scenarios/config-fuzz.js';

it('config-fuzz: 520 mutated configs each load or are refused with exit 2 and lines naming the file, never a stack', async () => {
  // 100 through the CLI as a user runs it (spawned from dist); the rest through loadConfig in this process, which
  // the CLI calls, because a spawn costs 0.3-1 s on a busy 2-core machine.
  const outcome = await configFuzz({ spawned: 100, inProcess: 420, seed: 13 });
  recordOutcome(outcome);
  expect(outcome.failures).toEqual([]);
});
