// The sharing controls' texts in the chosen language (see sharing-text.ts).
import { useCallback } from 'react';
import { useI18n } from '../i18n/LanguageContext';
import type { Vars } from '../i18n/translate';
import { sharingText, type SharingKey } from './sharing-text';

export function useSharingText(): (key: SharingKey, vars?: Vars) => string {
  const { lang } = useI18n();
  return useCallback((key: SharingKey, vars?: Vars) => sharingText(lang, key, vars), [lang]);
}
