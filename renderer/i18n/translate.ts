// Pure i18n helpers: pick a language, look a key up, fill its {placeholders}.
import { ar } from './ar';
import { en, type Dictionary, type MessageKey } from './en';

export type Language = 'en' | 'ar';
export type { Dictionary, MessageKey };

export const LANGUAGES: readonly Language[] = ['en', 'ar'];
export const DICTIONARIES: Readonly<Record<Language, Dictionary>> = { en, ar };
export const DIRECTION: Readonly<Record<Language, 'ltr' | 'rtl'>> = { en: 'ltr', ar: 'rtl' };

export type Vars = Readonly<Record<string, string | number>>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

const PLACEHOLDER = /\{(\w+)\}/g;

export function translate(dictionary: Dictionary, key: MessageKey, vars?: Vars): string {
  const text = dictionary[key];
  if (!vars) return text;
  return text.replace(PLACEHOLDER, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** The placeholder names a text uses, sorted: both languages must use the same. */
export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '').sort();
}

export function otherLanguage(lang: Language): Language {
  return lang === 'en' ? 'ar' : 'en';
}

const STORAGE_KEY = 'sijill.language';

export function loadLanguage(storage: Pick<Storage, 'getItem'>): Language {
  try {
    const stored = storage.getItem(STORAGE_KEY);
    return stored === 'ar' || stored === 'en' ? stored : 'en';
  } catch {
    return 'en';
  }
}

export function saveLanguage(storage: Pick<Storage, 'setItem'>, lang: Language): void {
  try {
    storage.setItem(STORAGE_KEY, lang);
  } catch {
    // Storage refused: the choice lasts until the page closes.
  }
}

/** Sets <html lang dir>, which the style sheet's logical properties follow. */
export function applyLanguage(root: HTMLElement, lang: Language): void {
  root.lang = lang;
  root.dir = DIRECTION[lang];
}

/** Intl locale: Arabic (Iraq) text with Latin digits, or British English (day before month). */
export function intlLocale(lang: Language): string {
  return lang === 'ar' ? 'ar-IQ-u-nu-latn' : 'en-GB';
}

/** A text to show, decided by pure code and translated when drawn: a key and its placeholders. */
export interface Text {
  key: MessageKey;
  vars?: Vars;
}
