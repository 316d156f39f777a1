import { useI18n } from '../i18n/LanguageContext';
import type { FlagView } from './lab-flags';

/** A lab result's flag: its meaning and code ("High (H)"), marked when abnormal. */
export function LabFlag({ flag }: { flag: FlagView }) {
  const { t } = useI18n();
  if (flag.code === null) return null;
  const classes = ['lab-flag'];
  if (flag.abnormal) classes.push('lab-flag--abnormal');
  if (flag.critical) classes.push('lab-flag--critical');
  return (
    <span className={classes.join(' ')} data-testid="lab-flag" data-flag={flag.code}>
      {flag.label ? (
        <>
          {t(flag.label)} <span dir="ltr">({flag.code})</span>
        </>
      ) : (
        <span dir="ltr">{flag.code}</span>
      )}
    </span>
  );
}
