import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { POLICY_DEFAULTS } from '../../src/config/stop-policies.js';
import { useTempDir } from '../helpers/temp-dir.js';

const KEYS_ENV = { COMPSHARE_PUBLIC_KEY: 'pub', COMPSHARE_PRIVATE_KEY: 'priv' };

describe('stopPolicies and policyReconcile in the config', () => {
  const tempDir = useTempDir();

  async function load(text: string) {
    const dir = tempDir();
    await writeFile(join(dir, 'config.yaml'), text);
    return loadConfig({ path: 'config.yaml', cwd: dir, env: KEYS_ENV });
  }

  async function failure(text: string): Promise<string> {
    const error = await load(text).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }

  it('defaults to no policies and a five-minute reconcile', async () => {
    const { config } = await load('');
    expect(config.stopPolicies).toEqual({});
    expect(config.policyReconcile).toBe(POLICY_DEFAULTS.reconcile);
  });

  it('reads the three rule kinds, with override off by default', async () => {
    const { config } = await load(`
stopPolicies:
  night: { select: { tag: [training] }, dailyAt: "23:30", days: [mon, fri] }
  eight-hours: { select: { name: ["grab-*"] }, maxRuntimeHours: 8, override: true }
  demo-end: { select: { ids: [uhost-1], gpuType: [4090] }, deadline: 2026-03-01T18:00:00+08:00 }
policyReconcile: "*/30 * * * * *"
`);
    const { night, 'eight-hours': eight, 'demo-end': demoEnd } = config.stopPolicies;
    expect(night).toMatchObject({ select: { tag: ['training'] }, override: false, rule: { kind: 'dailyAt' } });
    expect(night?.rule.summary).toBe('daily at 23:30 (Asia/Shanghai) on mon, fri');
    expect(eight).toMatchObject({ select: { name: ['grab-*'] }, override: true, rule: { kind: 'maxRuntimeHours' } });
    expect(demoEnd).toMatchObject({ select: { ids: ['uhost-1'], gpuType: ['4090'] }, rule: { kind: 'deadline' } });
    expect(config.policyReconcile).toBe('*/30 * * * * *');
  });

  it.each([
    ['an empty selector', 'p: { select: {}, maxRuntimeHours: 8 }',
      'config.yaml: stopPolicies.p.select: an empty selector would match every instance; give at least one of tag, name, ids, zone, gpuType'],
    ['no selector', 'p: { maxRuntimeHours: 8 }', 'config.yaml: stopPolicies.p.select: missing (expected a mapping)'],
    ['an empty list in a selector', 'p: { select: { tag: [] }, maxRuntimeHours: 8 }',
      'config.yaml: stopPolicies.p.select.tag: must have at least 1 item (found 0)'],
    ['a misspelt selector field', 'p: { select: { tags: [a] }, maxRuntimeHours: 8 }',
      // The typo also leaves the selector empty; the typo is what is reported first.
      'config.yaml: stopPolicies.p.select: unknown key "tags" (did you mean "tag"?) (and 1 more problem)'],
    ['no rule', 'p: { select: { tag: [a] } }',
      'config.yaml: stopPolicies.p: set exactly one of dailyAt, maxRuntimeHours, deadline (found none)'],
    ['two rules', 'p: { select: { tag: [a] }, dailyAt: "23:00", maxRuntimeHours: 8 }',
      'config.yaml: stopPolicies.p: set exactly one of dailyAt, maxRuntimeHours, deadline (found dailyAt and maxRuntimeHours)'],
    ['a dailyAt field on another kind', 'p: { select: { tag: [a] }, maxRuntimeHours: 8, timezone: UTC }',
      'config.yaml: stopPolicies.p.timezone: applies only to dailyAt, not to maxRuntimeHours'],
    ['a bad time of day', 'p: { select: { tag: [a] }, dailyAt: "24:00" }',
      'config.yaml: stopPolicies.p.dailyAt: expected a time of day as "HH:MM", e.g. "23:30" (found "24:00")'],
    ['an unknown timezone', 'p: { select: { tag: [a] }, dailyAt: "23:00", timezone: Asia/Shangai }',
      'config.yaml: stopPolicies.p.timezone: unknown timezone "Asia/Shangai" (expected an IANA name such as Asia/Shanghai or UTC)'],
    ['a bad day', 'p: { select: { tag: [a] }, dailyAt: "23:00", days: [monday] }',
      'config.yaml: stopPolicies.p.days[0]: expected one of mon, tue, wed, thu, fri, sat, sun (found "monday")'],
    ['a runtime that is not positive', 'p: { select: { tag: [a] }, maxRuntimeHours: 0 }',
      'config.yaml: stopPolicies.p.maxRuntimeHours: must be greater than 0 (found 0)'],
    ['a runtime too large to be meant', 'p: { select: { tag: [a] }, maxRuntimeHours: 1e308 }',
      'config.yaml: stopPolicies.p.maxRuntimeHours: must be at most 8760 (found 1e+308)'],
    ['a deadline outside 2000..2100', 'p: { select: { tag: [a] }, deadline: "9999-03-01T18:00:00+08:00" }',
      'config.yaml: stopPolicies.p.deadline: expected a deadline between 2000-01-01 and 2100-01-01 (found "9999-03-01T18:00:00+08:00")'],
    ['more days than a week has', 'p: { select: { tag: [a] }, dailyAt: "23:00", days: [mon, tue, wed, thu, fri, sat, sun, mon] }',
      'config.yaml: stopPolicies.p.days: must have at most 7 items (found 8)'],
    ['a deadline without an offset', 'p: { select: { tag: [a] }, deadline: "2026-03-01T18:00:00" }',
      'config.yaml: stopPolicies.p.deadline: expected an ISO time with a UTC offset, e.g. "2026-03-01T18:00:00+08:00" (found "2026-03-01T18:00:00")'],
    ['a misspelt policy key', 'p: { select: { tag: [a] }, maxRuntimeHour: 8 }',
      'config.yaml: stopPolicies.p: unknown key "maxRuntimeHour" (did you mean "maxRuntimeHours"?) (and 1 more problem)'],
    ['override not a boolean', 'p: { select: { tag: [a] }, maxRuntimeHours: 8, override: "yes" }',
      'config.yaml: stopPolicies.p.override: expected true or false, found "yes"'],
    ['a policy name with a space', '"my policy": { select: { tag: [a] }, maxRuntimeHours: 8 }',
      'config.yaml: stopPolicies.my policy: policy names may contain only letters, digits, ".", "_" and "-" (found "my policy")'],
  ])('%s', async (_case, policy, expected) => {
    expect(await failure(`stopPolicies:\n  ${policy}\n`)).toBe(expected);
  });

  it('checks policyReconcile as a cron pattern', async () => {
    expect(await failure('policyReconcile: "*/70 * * * *"\n')).toMatch(/^config\.yaml: policyReconcile: invalid cron "\*\/70 \* \* \* \*": /);
  });
});
