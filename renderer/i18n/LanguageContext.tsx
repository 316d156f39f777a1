import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { fillIsolated } from './isolate';
import {
  applyLanguage,
  DICTIONARIES,
  intlLocale,
  loadLanguage,
  otherLanguage,
  saveLanguage,
  translate,
  type Language,
  type MessageKey,
  type Translate,
} from './translate';

export interface I18n {
  lang: Language;
  t: Translate;
  /** Like t, for display: each filled-in value is direction-isolated (<bdi>). */
  tx: (key: MessageKey, vars: Readonly<Record<string, ReactNode>>) => ReactNode;
  /** Intl locale for dates and numbers. */
  locale: string;
  toggleLanguage: () => void;
}

const I18nContext = createContext<I18n | null>(null);

export function LanguageProvider({ children }: { children: ReactNode }) {
  const [lang, setLang] = useState<Language>(() => loadLanguage(window.localStorage));

  useEffect(() => {
    applyLanguage(document.documentElement, lang);
    saveLanguage(window.localStorage, lang);
  }, [lang]);

  const toggleLanguage = useCallback(() => setLang(otherLanguage), []);

  const value = useMemo<I18n>(
    () => ({
      lang,
      t: (key, vars) => translate(DICTIONARIES[lang], key, vars),
      tx: (key, vars) => fillIsolated(DICTIONARIES[lang][key], vars),
      locale: intlLocale(lang),
      toggleLanguage,
    }),
    [lang, toggleLanguage],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n must be used inside <LanguageProvider>');
  return i18n;
}
