// The patient's open sync conflicts, at the top of the chart where they cannot be
// missed: two devices edited the same field at the same time, and a clinician must
// choose. Shows nothing when there are none.
import { ErrorAlert } from '../components/ErrorAlert';
import { useI18n } from '../i18n/LanguageContext';
import { ConflictCard } from '../conflicts/ConflictCard';
import { useOpenConflicts } from '../conflicts/useOpenConflicts';

export function ConflictsPanel({ patientId, onResolved }: { patientId: string; onResolved: () => void }) {
  const { t } = useI18n();
  const list = useOpenConflicts(patientId);
  const conflicts = list.data?.conflicts ?? [];
  if (conflicts.length === 0 && !list.failure) return null;
  return (
    <section className="card conflicts-panel" aria-labelledby="chart-conflicts-title" data-testid="chart-conflicts">
      <h2 id="chart-conflicts-title">{t('conflict.chartTitle', { n: conflicts.length })}</h2>
      <p className="field__hint">{t('conflict.chartIntro')}</p>
      <ErrorAlert error={list.failure} />
      <ul className="conflict-list">
        {conflicts.map((c) => (
          <ConflictCard
            key={c.id}
            conflict={c}
            onResolved={() => {
              list.reload();
              onResolved();
            }}
          />
        ))}
      </ul>
    </section>
  );
}
