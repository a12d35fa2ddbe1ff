import { describe, expect, it } from 'vitest';
import { provisionerSchema } from '../../src/config/provisioners.js';
import { decide, type DecisionInputs } from '../../src/provision/grab.js';
import { accountBlock, priceBlock } from '../../src/provision/guardrails.js';
import type { Candidate, CandidateRequest, Provisioner } from '../../src/provision/provisioners.js';
import type { Quote } from '../../src/provision/prices.js';
import type { Pause, Usage } from '../../src/store/provisions.js';

const NOW = Date.UTC(2026, 0, 15, 8, 0, 0);
const MINUTE = 60_000;

/** A provisioner with the given settings (schema defaults for the rest); the guardrails read only its settings. */
function provisioner(settings: Record<string, unknown> = {}, candidates: readonly Candidate[] = []): Provisioner {
  return {
    name: 'grab',
    settings: provisionerSchema.parse({ candidates: [{ gpu: 1, cpu: 16, memGb: 64 }], maxHourlyPrice: 3, ...settings }),
    stopPolicy: undefined,
    watches: ['w4090'],
    candidatesFor: () => candidates,
    allRequests: () => [],
    password: undefined,
  };
}

const idle: Usage = { owned: 0, spent: 0, lastFailureAt: null };
const quote = (hourly: number, period = hourly): Quote => ({ hourly, period, at: NOW });

describe('accountBlock', () => {
  it('lets a provisioner with nothing owned, no failure and no pause create', () => {
    expect(accountBlock(provisioner(), idle, undefined, NOW)).toBeUndefined();
  });

  it('blocks a paused provisioner and says how to resume it', () => {
    const pause: Pause = { provisioner: 'grab', since: NOW - MINUTE, retCode: 226601, reason: 'the account is in arrears' };
    const block = accountBlock(provisioner(), idle, pause, NOW);
    expect(block).toMatchObject({ guard: 'paused', alert: false });
    expect(block?.reason).toContain('provision resume grab');
  });

  it('blocks within the cooldown after a failure, and not once it is over', () => {
    const settings = { cooldown: '5m' };
    const failedAt = (ago: number): Usage => ({ ...idle, lastFailureAt: NOW - ago });
    expect(accountBlock(provisioner(settings), failedAt(5 * MINUTE - 1), undefined, NOW)).toMatchObject({ guard: 'cooldown' });
    expect(accountBlock(provisioner(settings), failedAt(5 * MINUTE), undefined, NOW)).toBeUndefined();
  });

  it('blocks when the owned count reaches maxInstances, not below it', () => {
    const settings = { maxInstances: 2 };
    expect(accountBlock(provisioner(settings), { ...idle, owned: 2 }, undefined, NOW)).toMatchObject({ guard: 'max-instances' });
    expect(accountBlock(provisioner(settings), { ...idle, owned: 1 }, undefined, NOW)).toBeUndefined();
  });

  it('checks the pause before the cooldown and the count', () => {
    const pause: Pause = { provisioner: 'grab', since: NOW, retCode: 226606, reason: 'unverified' };
    const busy: Usage = { owned: 5, spent: 0, lastFailureAt: NOW };
    expect(accountBlock(provisioner(), busy, pause, NOW)?.guard).toBe('paused');
    expect(accountBlock(provisioner(), busy, undefined, NOW)?.guard).toBe('cooldown');
  });
});

describe('priceBlock', () => {
  it('refuses to create without a price, quoting why the price is missing', () => {
    const block = priceBlock(provisioner(), 'Dynamic', undefined, idle, 'HTTP 503');
    expect(block).toMatchObject({ guard: 'price-unknown', alert: true });
    expect(block?.reason).toContain('HTTP 503');
  });

  it('passes a price equal to maxHourlyPrice and blocks one a fen above', () => {
    expect(priceBlock(provisioner({ maxHourlyPrice: 1.9 }), 'Dynamic', quote(1.9), idle)).toBeUndefined();
    expect(priceBlock(provisioner({ maxHourlyPrice: 1.9 }), 'Dynamic', quote(1.91), idle)).toMatchObject({
      guard: 'max-hourly-price',
      alert: true,
    });
  });

  it('holds a prepaid term to maxOrderPrice (equal passes), and ignores it for pay-as-you-go', () => {
    const settings = { allowPrepaid: true, maxOrderPrice: 1000, maxHourlyPrice: 10 };
    expect(priceBlock(provisioner(settings), 'Month', quote(1.4, 1000), idle)).toBeUndefined();
    expect(priceBlock(provisioner(settings), 'Month', quote(1.4, 1000.01), idle)).toMatchObject({ guard: 'max-order-price' });
    expect(priceBlock(provisioner(settings), 'Dynamic', quote(1.4, 1000.01), idle)).toBeUndefined();
  });

  it('counts what was already spent against dailyBudget; landing exactly on the budget passes', () => {
    const settings = { dailyBudget: 100 };
    // 24 h of CNY 2/h is 48: 52 spent + 48 = 100 exactly.
    expect(priceBlock(provisioner(settings), 'Dynamic', quote(2), { ...idle, spent: 52 })).toBeUndefined();
    const block = priceBlock(provisioner(settings), 'Dynamic', quote(2), { ...idle, spent: 52.01 });
    expect(block).toMatchObject({ guard: 'daily-budget', alert: true });
    expect(block?.reason).toContain('CNY 52.01 already committed');
  });

  it('lets a sum that lands on the budget pass though floating point puts it a hair above', () => {
    // Two days of CNY 0.10/h committed (4.8) plus one more (2.4) is 7.2 in CNY, 7.200000000000001 in floats.
    const usage: Usage = { ...idle, spent: 0.1 * 24 + 0.1 * 24 };
    expect(priceBlock(provisioner({ dailyBudget: 7.2 }), 'Dynamic', quote(0.1), usage)).toBeUndefined();
    expect(priceBlock(provisioner({ dailyBudget: 7.19 }), 'Dynamic', quote(0.1), usage)).toMatchObject({ guard: 'daily-budget' });
  });

  it('has no budget limit when dailyBudget is unset', () => {
    expect(priceBlock(provisioner(), 'Dynamic', quote(2), { ...idle, spent: 1e6 })).toBeUndefined();
  });
});

describe('decide', () => {
  const candidate = (gpu: number): Candidate => {
    const request: CandidateRequest = {
      zone: 'cn-wlcb-01', gpuType: '4090', gpu, cpu: gpu * 16, memGb: gpu * 64, imageId: 'img', machineType: 'G',
      chargeType: 'Dynamic', disks: [{ isBoot: true, type: 'CLOUD_SSD', size: 60 }],
    };
    return { watch: 'w4090', key: `${gpu}/${gpu * 16}/${gpu * 64}`, request };
  };
  const [one, two] = [candidate(1), candidate(2)];
  /** Both rows, priced at CNY 1.90/h a GPU; `available` and `priceless` name rows by GPU count. */
  const inputs = (available: number[], priceless: number[] = []): DecisionInputs => ({
    usage: idle,
    pause: undefined,
    isAvailable: (c) => available.includes(c.request.gpu),
    prices: {
      quote: async (request) => {
        if (priceless.includes(request.gpu)) throw new Error('HTTP 503');
        return quote(1.9 * request.gpu);
      },
    },
    now: NOW,
  });

  it('takes the first candidate in order that is available', async () => {
    const both = provisioner({ maxHourlyPrice: 5 }, [one!, two!]);
    expect(await decide(both, 'w4090', inputs([1, 2]))).toMatchObject({ kind: 'create', request: { gpu: 1 }, quote: { hourly: 1.9 } });
    expect(await decide(both, 'w4090', inputs([2]))).toMatchObject({ kind: 'create', request: { gpu: 2 } });
  });

  it('fails over past a candidate whose price is refused or unknown', async () => {
    const twoFirst = [two!, one!];
    // CNY 3.80/h for two GPUs is above 2.
    expect(await decide(provisioner({ maxHourlyPrice: 2 }, twoFirst), 'w4090', inputs([1, 2]))).toMatchObject({ request: { gpu: 1 } });
    expect(await decide(provisioner({ maxHourlyPrice: 5 }, twoFirst), 'w4090', inputs([1, 2], [2]))).toMatchObject({ request: { gpu: 1 } });
  });

  it('says why each candidate was refused when none passes, and is sold out when none is available', async () => {
    const decision = await decide(provisioner({ maxHourlyPrice: 1 }, [one!, two!]), 'w4090', inputs([1, 2]));
    expect(decision).toMatchObject({ kind: 'blocked', block: { guard: 'max-hourly-price', alert: true } });
    expect(decision.kind === 'blocked' && decision.block.reason).toMatch(/^1\/16\/64: .*; 2\/32\/128: /);
    expect(await decide(provisioner({}, [one!, two!]), 'w4090', inputs([]))).toMatchObject({ block: { guard: 'sold-out', alert: false } });
  });

  it('asks no price when an account guard already blocks', async () => {
    const asked: number[] = [];
    const paused: DecisionInputs = {
      ...inputs([1]),
      usage: { ...idle, owned: 1 },
      prices: { quote: async (request) => (asked.push(request.gpu), quote(1)) },
    };
    expect(await decide(provisioner({}, [one!]), 'w4090', paused)).toMatchObject({ block: { guard: 'max-instances' } });
    expect(asked).toEqual([]);
  });
});
