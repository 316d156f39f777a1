import type { ChartListItem } from '../../main/api';
import { useI18n } from '../i18n/LanguageContext';

/** A read-only list from the chart (problems, medications). */
export function ChartItemList({
  title,
  items,
  testId,
}: {
  title: string;
  items: readonly ChartListItem[];
  testId: string;
}) {
  const { t } = useI18n();
  return (
    <section className="card" data-testid={testId}>
      <h2>{title}</h2>
      {items.length === 0 ? (
        <p className="empty">{t('chart.noneRecorded')}</p>
      ) : (
        <ul className="plain-list">
          {items.map((item) => (
            <li key={item.id} dir="auto">
              {item.text}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
