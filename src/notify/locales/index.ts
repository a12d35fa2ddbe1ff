import { en } from './en.js';
import type { Phrases } from './phrases.js';
import { zhCN } from './zh-CN.js';

/** The languages messages are written in; the config's `locale` is one of these. */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

const phrases: Record<Locale, Phrases> = { 'zh-CN': zhCN, en };

export function phrasesFor(locale: Locale): Phrases {
  return phrases[locale];
}
