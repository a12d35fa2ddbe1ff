import { describe, expect, it } from 'vitest';
import { detect, keyId, type KeyState, type PollOutcome, type SpecKey, type WatchHealth } from '../../src/watch/detector.js';

const settings = { confirmUp: 1, confirmDown: 2, blindAfterMs: 300_000 };
const one: SpecKey = { gpu: 1, cpu: 16, mem: 64 };
const two: SpecKey = { gpu: 2, cpu: 32, mem: 128 };
const fresh: WatchHealth = { baselineAt: null, lastOkAt: null, failingSince: null, lastError: null, blind: false };

const ok = (...rows: Array<[SpecKey, boolean]>): PollOutcome => ({
  ok: true,
  rows: rows.map(([key, resourceEnough]) => ({ ...key, resourceEnough })),
});
const failed: PollOutcome = { ok: false, error: { kind: 'http', message: 'HTTP 503' } };

/** Feeds outcomes one per 10 s through the detector, carrying state like the store does. */
function run(outcomes: PollOutcome[], options = settings, start: { health: WatchHealth; keys: Map<string, { key: SpecKey; state: KeyState }> } = { health: fresh, keys: new Map() }) {
  let { health } = start;
  const keys = new Map(start.keys);
  const transitions = [];
  const events = [];
  let now = 1_000_000;
  for (const outcome of outcomes) {
    now += 10_000;
    const result = detect(health, keys, outcome, options, now);
    health = result.health;
    for (const [id, entry] of result.changedKeys) keys.set(id, entry);
    transitions.push(...result.transitions);
    events.push(...result.events);
  }
  return { health, keys, transitions, events };
}

describe('detector', () => {
  it('takes the first successful poll as the baseline and announces only what is available', () => {
    const { transitions, events } = run([ok([one, true], [two, false])]);
    expect(transitions.map((t) => [keyId(t.key), t.from, t.to])).toEqual([
      ['1/16/64', null, 'available'],
      ['2/32/128', null, 'soldout'],
    ]);
    expect(events.map((e) => e.type)).toEqual(['capacity.available']);
  });

  it('becomes available after one true reading and sold out only after two false readings', () => {
    const { transitions } = run([ok([one, false]), ok([one, true]), ok([one, false]), ok([one, true]), ok([one, false]), ok([one, false])]);
    // baseline sold out; up on the first true; one false is not enough; two in a row are.
    expect(transitions.map((t) => t.to)).toEqual(['soldout', 'available', 'soldout']);
  });

  it('honours larger confirmations both ways and resets a streak that is broken', () => {
    const strict = { ...settings, confirmUp: 3, confirmDown: 3 };
    const readings = [false, true, true, false, true, true, true, false, false, true, false, false, false].map((r) => ok([one, r]));
    const { transitions } = run(readings, strict);
    expect(transitions.map((t) => t.to)).toEqual(['soldout', 'available', 'soldout']);
  });

  it('never changes state on a failed poll', () => {
    const { transitions, keys } = run([ok([one, true]), failed, failed, failed]);
    expect(transitions).toHaveLength(1);
    expect(keys.get('1/16/64')?.state.state).toBe('available');
  });

  it('does not let an error break or extend a confirmation streak', () => {
    const { transitions } = run([ok([one, true]), ok([one, false]), failed, ok([one, false])]);
    expect(transitions.map((t) => t.to)).toEqual(['available', 'soldout']);
  });

  it('reads a row that disappears from Specs as not enough', () => {
    const { transitions, events } = run([ok([one, true], [two, true]), ok([two, true]), ok([two, true])]);
    expect(transitions.at(-1)).toMatchObject({ key: one, from: 'available', to: 'soldout' });
    expect(events.at(-1)).toMatchObject({ type: 'capacity.soldout', key: one });
  });

  it('treats a key that first appears after the baseline as coming from sold out', () => {
    const { transitions, events } = run([ok([one, false]), ok([one, false], [two, true])]);
    expect(transitions.at(-1)).toMatchObject({ key: two, from: 'soldout', to: 'available', previousSince: null });
    expect(events.at(-1)).toMatchObject({ type: 'capacity.available', key: two });
  });

  it('records how long the previous state lasted', () => {
    const { transitions } = run([ok([one, true]), ok([one, true]), ok([one, false]), ok([one, false])]);
    const flip = transitions.at(-1)!;
    expect(flip.at - flip.previousSince!).toBe(30_000);
  });

  it('continues from persisted state after a restart: a flip while down is reported on the first poll', () => {
    const before = run([ok([one, false])]);
    const after = run([ok([one, true])], settings, { health: before.health, keys: before.keys });
    expect(after.transitions).toHaveLength(1);
    expect(after.transitions[0]).toMatchObject({ from: 'soldout', to: 'available' });
    expect(after.events.map((e) => e.type)).toEqual(['capacity.available']);
  });

  it('raises one blind event after blindAfter of failures and one recovered event on the next success', () => {
    const quick = { ...settings, blindAfterMs: 25_000 };
    const { events, health } = run([ok([one, true]), failed, failed, failed, failed, failed, ok([one, true])], quick);
    expect(events.map((e) => e.type)).toEqual(['capacity.available', 'watch.blind', 'watch.recovered']);
    expect(health).toMatchObject({ blind: false, failingSince: null, lastError: null });
  });

  it('does not go blind for failures shorter than blindAfter', () => {
    const { events } = run([ok([one, true]), failed, failed, ok([one, true])], { ...settings, blindAfterMs: 60_000 });
    expect(events.map((e) => e.type)).toEqual(['capacity.available']);
  });

  it('reminds once per repeatEvery while a key stays available, and not after it sells out', () => {
    const every = { ...settings, remindEveryMs: 25_000 };
    // Polls every 10 s: available from the first poll; reminders when 25 s and 50 s have passed.
    const { events } = run([true, true, true, true, true, true, false, false, false, false].map((r) => ok([one, r])), every);
    const reminders = events.filter((e) => e.type === 'capacity.reminder');
    expect(reminders.map((e) => (e as { count: number }).count)).toEqual([1, 2]);
    expect(events.map((e) => e.type)).toEqual(['capacity.available', 'capacity.reminder', 'capacity.reminder', 'capacity.soldout']);
  });

  it('reads only the keys the watch tracks, and leaves a stored key alone once match no longer selects it', () => {
    const onlyOne = { ...settings, tracks: (key: SpecKey) => key.gpu === 1 };
    const before = run([ok([one, true], [two, true])]);
    expect(before.transitions).toHaveLength(2);
    // match narrowed to 1 GPU: the 2-GPU key, still available, must not be read as sold out.
    const after = run([ok([one, true], [two, true]), ok([one, true], [two, true])], onlyOne, { health: before.health, keys: before.keys });
    expect(after.transitions).toEqual([]);
    expect(after.events).toEqual([]);
    expect(detect(before.health, before.keys, ok([one, true], [two, false]), onlyOne, 2e6).readings.map((r) => r.key)).toEqual([one]);
  });
});
