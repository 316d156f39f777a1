import { useI18n } from '../i18n/LanguageContext';

/** The kind of record a log leaf stands for ('entry', 'audit'), in words. */
export function RecordKind({ kind }: { kind: string | null }) {
  const { t } = useI18n();
  if (kind === 'entry') return <>{t('receipt.kind.entry')}</>;
  if (kind === 'audit') return <>{t('receipt.kind.audit')}</>;
  return <span className="mono">{kind ?? t('receipt.unknown')}</span>;
}
