import { z } from 'zod';
import { NOTIFY_ON } from '../notify/routing.js';
import { clockTime, duration, intBetween, section, timezone } from '../schema/fields.js';

/** Defaults of the `delivery` section and of each watch's routing keys. */
export const DELIVERY_DEFAULTS = {
  /** Flips of a watch within this window after an alert are sent together in one follow-up. */
  groupWindow: '10s',
  maxAttempts: 10,
  /** An alert that could not be delivered within this long is given up on (and shown by `notify status`). */
  maxAge: '1d',
} as const;

/** Names of entries under `notifiers:`; checked against them once the whole file is read. */
/** The ceiling of `delivery.maxAttempts`, so a typo cannot keep an alert retrying for ever. */
export const MAX_DELIVERY_ATTEMPTS = 1000;

export const notifyListSchema = z.array(z.string().min(1));

export const deliverySchema = section({
  groupWindow: duration.prefault(DELIVERY_DEFAULTS.groupWindow),
  maxAttempts: intBetween(1, MAX_DELIVERY_ATTEMPTS).default(DELIVERY_DEFAULTS.maxAttempts),
  maxAge: duration.prefault(DELIVERY_DEFAULTS.maxAge),
});

/** Alerts that may wait are held from `from` to `to` (a window may wrap midnight); `urgent` ones go out anyway. */
export const quietHoursSchema = section({
  from: clockTime,
  to: clockTime,
  /** Default: the top-level timezone. */
  timezone: timezone.optional(),
  /** Default: `available` is urgent, so a free card is never held back. */
  urgent: z.array(z.enum(NOTIFY_ON)).default(['available']),
});

/** The per-watch routing keys, spread into the watch schema. */
export const watchNotifyFields = {
  /** Default: the top-level `notify` list. */
  notify: notifyListSchema.optional(),
  notifyOn: z.array(z.enum(NOTIFY_ON)).min(1).default([...NOTIFY_ON]),
  quietHours: quietHoursSchema.optional(),
  /** While a spec stays available, remind every this long; off unless set. */
  repeatEvery: duration.optional(),
};
