// Conflict review (clinicians): every open conflict of the review queue, grouped by
// patient, each resolved here or in the chart. Refreshed on 'conflicts.changed'.
import type { ConflictSummary } from '../../main/api';
import { routeHash } from '../app/routes';
import { ErrorAlert } from '../components/ErrorAlert';
import { fullName } from '../format/names';
import { useHostData } from '../hooks/useHostData';
import { useI18n } from '../i18n/LanguageContext';
import { ConflictCard } from '../conflicts/ConflictCard';
import { groupByPatient } from '../conflicts/conflict-model';
import { useOpenConflicts } from '../conflicts/useOpenConflicts';

export function ConflictsScreen() {
  const { t } = useI18n();
  const list = useOpenConflicts();
  const groups = groupByPatient(list.data?.conflicts ?? []);
  return (
    <section className="screen" aria-labelledby="conflicts-title">
      <div className="screen__header">
        <h1 id="conflicts-title">{t('conflicts.title')}</h1>
        <button type="button" className="button button--small" onClick={list.reload} disabled={list.loading}>
          {t('app.refresh')}
        </button>
      </div>
      <p className="screen__intro">{t('conflicts.intro')}</p>
      <ErrorAlert error={list.failure} />
      {!list.data && !list.failure && <p className="loading">{t('app.loading')}</p>}
      {list.data && groups.length === 0 && (
        <p className="empty" data-testid="conflicts-none">
          {t('conflicts.none')}
        </p>
      )}
      {groups.map((g) => (
        <PatientConflicts
          key={g.patientId ?? 'none'}
          patientId={g.patientId}
          conflicts={g.conflicts}
          onResolved={list.reload}
        />
      ))}
    </section>
  );
}

function PatientConflicts({
  patientId,
  conflicts,
  onResolved,
}: {
  patientId: string | null;
  conflicts: ConflictSummary[];
  onResolved: () => void;
}) {
  const { t } = useI18n();
  return (
    <section className="card" data-testid="conflicts-patient" data-patient-id={patientId ?? ''}>
      <h2>{patientId ? <PatientName patientId={patientId} /> : t('conflicts.noPatient')}</h2>
      <ul className="conflict-list">
        {conflicts.map((c) => (
          <ConflictCard key={c.id} conflict={c} onResolved={onResolved} />
        ))}
      </ul>
    </section>
  );
}

/** The patient's name, linking to the chart (where the same conflicts are shown). */
function PatientName({ patientId }: { patientId: string }) {
  const { t } = useI18n();
  const record = useHostData('patients.get', { patientId });
  const chart = record.data?.chart;
  return (
    <a href={routeHash({ screen: 'chart', patientId })} data-testid="conflicts-patient-link" dir="auto">
      {chart ? `${fullName(chart)} · ${t('chart.mrn')} ${chart.mrn}` : patientId}
    </a>
  );
}
