import type { Entry } from '../../main/api';
import { useCurrentSession } from '../app/SessionContext';
import { useI18n } from '../i18n/LanguageContext';
import { TimelineEntry } from './TimelineEntry';
import { newestFirst } from './entries';

/** Every entry of the chart, newest first, amended ones included. */
export function Timeline({ entries, onAmend }: { entries: readonly Entry[]; onAmend: (entry: Entry) => void }) {
  const { t } = useI18n();
  const canReceipt = useCurrentSession().permissions.includes('anchor.receipt');
  const entriesById = new Map(entries.map((e) => [e.id, e]));
  return (
    <section className="card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">{t('chart.timeline')}</h2>
      {entries.length === 0 ? (
        <p className="empty">{t('chart.noEntries')}</p>
      ) : (
        <ol className="timeline">
          {newestFirst(entries).map((entry) => (
            <TimelineEntry
              key={entry.id}
              entry={entry}
              entriesById={entriesById}
              onAmend={onAmend}
              canReceipt={canReceipt}
            />
          ))}
        </ol>
      )}
    </section>
  );
}
