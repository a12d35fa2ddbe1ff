import type { Pause, Usage } from '../store/provisions.js';
import { PREPAID_CHARGE_TYPES } from '../config/provisioners.js';
import { formatDuration } from '../util/duration.js';
import type { Provisioner } from './provisioners.js';
import type { Quote } from './prices.js';

/** Why a create did not go ahead; `alert` when the user should hear of it (not for limits doing their job). */
export interface Block {
  guard:
    | 'paused'
    | 'cooldown'
    | 'max-instances'
    | 'sold-out'
    | 'price-unknown'
    | 'max-hourly-price'
    | 'max-order-price'
    | 'daily-budget';
  reason: string;
  alert: boolean;
}

/** The window `dailyBudget` counts over. */
export const BUDGET_WINDOW_MS = 24 * 3_600_000;

/** `CNY 1.90`: how guardrail reasons and the provision commands show an amount. */
export const cny = (amount: number): string => `CNY ${amount.toFixed(2)}`;

/** Below a fen's hundredth, a difference is floating-point noise from summing prices, not money. */
const CNY_EPSILON = 0.0001;

/** Whether `amount` passes `limit`: a sum that lands on the limit in CNY passes though its float is a hair above. */
const above = (amount: number, limit: number) => amount - limit > CNY_EPSILON;

/** The guards that do not depend on which candidate is chosen: pause, cooldown, instance count. */
export function accountBlock(provisioner: Provisioner, usage: Usage, pause: Pause | undefined, now: number): Block | undefined {
  const { settings } = provisioner;
  if (pause) {
    const reason = `paused since a create was refused (${pause.reason}); run: compshare-watch provision resume ${provisioner.name}`;
    return { guard: 'paused', reason, alert: false };
  }
  if (usage.lastFailureAt !== null && now - usage.lastFailureAt < settings.cooldown) {
    const left = formatDuration(settings.cooldown - (now - usage.lastFailureAt));
    return { guard: 'cooldown', reason: `cooling down after a failed create (${left} left of cooldown)`, alert: false };
  }
  if (usage.owned >= settings.maxInstances) {
    const reason = `it already owns ${usage.owned} running or pending instance(s), maxInstances ${settings.maxInstances}`;
    return { guard: 'max-instances', reason, alert: false };
  }
  return undefined;
}

/** The guards on one candidate's price: maxHourlyPrice, maxOrderPrice (prepaid) and dailyBudget. */
export function priceBlock(provisioner: Provisioner, chargeType: string, quote: Quote | undefined, usage: Usage, quoteError?: string): Block | undefined {
  const { settings } = provisioner;
  if (quote === undefined) {
    const reason = `its price is unknown${quoteError ? `: ${quoteError}` : ''}; nothing is created without a price`;
    return { guard: 'price-unknown', reason, alert: true };
  }
  if (above(quote.hourly, settings.maxHourlyPrice)) {
    const reason = `${cny(quote.hourly)}/h is above maxHourlyPrice ${cny(settings.maxHourlyPrice)}/h`;
    return { guard: 'max-hourly-price', reason, alert: true };
  }
  if (PREPAID_CHARGE_TYPES.has(chargeType) && settings.maxOrderPrice !== undefined && above(quote.period, settings.maxOrderPrice)) {
    const reason = `the ${chargeType} term costs ${cny(quote.period)}, above maxOrderPrice ${cny(settings.maxOrderPrice)}`;
    return { guard: 'max-order-price', reason, alert: true };
  }
  if (settings.dailyBudget !== undefined && above(usage.spent + quote.hourly * 24, settings.dailyBudget)) {
    const reason =
      `${cny(quote.hourly * 24)} a day more would pass dailyBudget ${cny(settings.dailyBudget)} ` +
      `(${cny(usage.spent)} already committed in the last 24 h)`;
    return { guard: 'daily-budget', reason, alert: true };
  }
  return undefined;
}
