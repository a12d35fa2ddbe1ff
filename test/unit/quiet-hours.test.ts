import { describe, expect, it } from 'vitest';
import { quietUntil } from '../../src/notify/quiet-hours.js';
import { channelsFor, type Route } from '../../src/notify/routing.js';

const shanghai = (iso: string) => Date.parse(`${iso}+08:00`);

describe('quietUntil', () => {
  const night = { from: '23:00', to: '08:00', timezone: 'Asia/Shanghai' };
  it.each([
    ['2026-11-24T23:30:00', '2026-11-25T08:00:00'],
    ['2026-11-25T02:15:30', '2026-11-25T08:00:00'],
    ['2026-11-24T23:00:00', '2026-11-25T08:00:00'],
  ])('holds %s until %s (window wraps midnight)', (now, until) => {
    expect(quietUntil(night, shanghai(now))).toBe(shanghai(until));
  });

  it.each(['2026-11-25T08:00:00', '2026-11-25T12:00:00', '2026-11-24T22:59:59'])('lets %s through', (now) => {
    expect(quietUntil(night, shanghai(now))).toBeNull();
  });

  it('handles a window within one day, in another zone', () => {
    const lunch = { from: '12:00', to: '13:30', timezone: 'UTC' };
    expect(quietUntil(lunch, Date.parse('2026-11-25T12:10:00Z'))).toBe(Date.parse('2026-11-25T13:30:00Z'));
    expect(quietUntil(lunch, Date.parse('2026-11-25T13:30:00Z'))).toBeNull();
  });
});

describe('channelsFor', () => {
  const route: Route = { channels: ['me', 'team'], notifyOn: ['available', 'blind'], urgent: ['available'] };
  it('routes only the subscribed kinds', () => {
    expect(channelsFor(route, 'capacity.available').channels).toEqual(['me', 'team']);
    expect(channelsFor(route, 'capacity.reminder').channels).toEqual(['me', 'team']);
    expect(channelsFor(route, 'capacity.soldout').channels).toEqual([]);
    expect(channelsFor(route, 'watch.recovered').channels).toEqual(['me', 'team']);
  });
  it('lets urgent kinds through quiet hours and holds the rest', () => {
    expect(channelsFor(route, 'capacity.available').holdable).toBe(false);
    expect(channelsFor(route, 'watch.blind').holdable).toBe(true);
    expect(channelsFor(route, 'policy.failed').holdable).toBe(true);
  });
  it('never holds what a provisioner did: an instance created, or left without its stop, bills through the night', () => {
    const quietAll: Route = { channels: ['me'], notifyOn: ['blind'], urgent: [] };
    expect(channelsFor(quietAll, 'provision.created')).toEqual({ channels: ['me'], holdable: false });
    expect(channelsFor(quietAll, 'provision.failed')).toEqual({ channels: ['me'], holdable: false });
  });
});
