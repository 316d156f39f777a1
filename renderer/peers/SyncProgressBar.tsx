// A long first sync or a bundle import: what is happening and how far along.
import { useId } from 'react';
import type { SyncProgress } from '../../main/api';
import { useI18n } from '../i18n/LanguageContext';
import { progressView } from './status-model';

export function SyncProgressBar({ progress, testId }: { progress: SyncProgress; testId: string }) {
  const { t } = useI18n();
  const id = useId();
  const view = progressView(progress);
  return (
    <span className="sync-progress" data-testid={testId} data-phase={progress.phase}>
      <label htmlFor={id}>{t(view.label.key, view.label.vars)}</label>
      {/* Without a value the bar is indeterminate: the total is not known yet. */}
      {view.value === null ? <progress id={id} /> : <progress id={id} value={view.value} max={view.max} />}
    </span>
  );
}
