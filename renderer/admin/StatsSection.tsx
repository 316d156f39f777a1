import { ErrorAlert } from '../components/ErrorAlert';
import type { Output } from '../../main/api';
import type { HostData } from '../hooks/useHostData';
import { useHostEvent } from '../hooks/useHostEvent';
import { useI18n } from '../i18n/LanguageContext';
import type { MessageKey } from '../i18n/translate';

const FIGURES: readonly { key: 'patients' | 'entries' | 'auditRecords' | 'users'; label: MessageKey }[] = [
  { key: 'patients', label: 'stats.patients' },
  { key: 'entries', label: 'stats.entries' },
  { key: 'auditRecords', label: 'stats.auditRecords' },
  { key: 'users', label: 'stats.users' },
];

export function StatsSection({ stats }: { stats: HostData<Output<'stats.get'>> }) {
  const { t } = useI18n();
  useHostEvent('patient.changed', stats.reload);
  useHostEvent('entry.recorded', stats.reload);
  return (
    <section className="card" aria-labelledby="stats-title" data-testid="admin-stats">
      <h2 id="stats-title">{t('admin.stats')}</h2>
      <ErrorAlert error={stats.failure} />
      {stats.data && (
        <dl className="stats">
          {FIGURES.map(({ key, label }) => (
            <div key={key} className="stats__item">
              <dt>{t(label)}</dt>
              <dd data-testid={`stat-${key}`}>{stats.data?.[key]}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
