import type { NotifierConfig } from './channels/index.js';
import type { Locale } from './locales/index.js';
import type { NotifyOn } from './routing.js';

/**
 * The part of the config that alerting reads. Declared here rather than imported from config/, which composes the
 * channels' schemas and so sits above this folder; the validated config fits this shape as it is.
 */
export interface NotifySettings {
  notifiers: Readonly<Record<string, NotifierConfig>>;
  /** Channels for watches that name none, and for events of no watch. */
  notify: readonly string[];
  timezone: string;
  locale: Locale;
  delivery: { groupWindow: number; maxAttempts: number; maxAge: number };
  watches: ReadonlyArray<{
    name: string;
    notify?: readonly string[] | undefined;
    notifyOn: readonly NotifyOn[];
    quietHours?: { from: string; to: string; timezone?: string | undefined; urgent: readonly NotifyOn[] } | undefined;
  }>;
}
