import type { QuietHours } from './quiet-hours.js';

/** What a user can subscribe a watch's channels to. */
export const NOTIFY_ON = ['available', 'soldout', 'blind'] as const;
export type NotifyOn = (typeof NOTIFY_ON)[number];

/** How the events of one watch (or of no watch: policy failures) reach channels. */
export interface Route {
  channels: readonly string[];
  notifyOn: readonly NotifyOn[];
  quietHours?: QuietHours | undefined;
  /** Event kinds that go out even during quiet hours. */
  urgent: readonly NotifyOn[];
}

/** The subscription an event type belongs to; events outside these three (policy failures, provisioning) always go out. */
export function subscriptionOf(eventType: string): NotifyOn | null {
  switch (eventType) {
    case 'capacity.available':
    case 'capacity.reminder':
      return 'available';
    case 'capacity.soldout':
      return 'soldout';
    case 'watch.blind':
    case 'watch.recovered':
      return 'blind';
    default:
      return null;
  }
}

/** Events about money being spent: quiet hours never hold them (an instance created at night bills all night). */
const MONEY_EVENT_PREFIX = 'provision.';

/** The channels an event goes to under a route, and whether quiet hours may hold it. */
export function channelsFor(route: Route, eventType: string): { channels: readonly string[]; holdable: boolean } {
  const subscription = subscriptionOf(eventType);
  if (subscription !== null && !route.notifyOn.includes(subscription)) return { channels: [], holdable: false };
  if (eventType.startsWith(MONEY_EVENT_PREFIX)) return { channels: route.channels, holdable: false };
  return { channels: route.channels, holdable: subscription === null || !route.urgent.includes(subscription) };
}
