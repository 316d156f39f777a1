// Lab results of the chart, one block per sample: test, result, unit, reference
// range and flag; abnormal results in bold and colour.
import type { Entry } from '../../main/api';
import { formatDateTime } from '../format/dates';
import { useI18n } from '../i18n/LanguageContext';
import { LabFlag } from '../lab/LabFlag';
import { labGroups, type LabGroup } from './lab-groups';

export function LabResultsTable({ entries }: { entries: readonly Entry[] }) {
  const { t } = useI18n();
  const groups = labGroups(entries);
  if (groups.length === 0) return null;
  return (
    <section className="card" aria-labelledby="lab-results-title" data-testid="lab-results">
      <h2 id="lab-results-title">{t('lab.title')}</h2>
      <div className="table-scroll">
        <table className="table table--compact lab-table">
          <thead>
            <tr>
              <th scope="col">{t('lab.col.test')}</th>
              <th scope="col">{t('lab.col.value')}</th>
              <th scope="col">{t('lab.col.unit')}</th>
              <th scope="col">{t('lab.col.range')}</th>
              <th scope="col">{t('lab.col.flag')}</th>
            </tr>
          </thead>
          {groups.map((group) => (
            <LabGroupRows key={group.key} group={group} />
          ))}
        </table>
      </div>
    </section>
  );
}

function LabGroupRows({ group }: { group: LabGroup }) {
  const { t, locale } = useI18n();
  return (
    <tbody data-testid="lab-group" data-sample-id={group.sampleId ?? ''}>
      <tr className="lab-group__header">
        <th scope="rowgroup" colSpan={5}>
          <time dateTime={group.time}>{formatDateTime(group.time, locale)}</time>
          {' · '}
          {group.sampleId ? (
            <>
              {t('lab.sample')}{' '}
              <span className="mono" dir="ltr">
                {group.sampleId}
              </span>
            </>
          ) : (
            t('lab.noSample')
          )}
          {group.analyzer && (
            <>
              {' · '}
              <span dir="auto">{group.analyzer}</span>
            </>
          )}
        </th>
      </tr>
      {group.rows.map((r) => (
        <tr
          key={r.entryId}
          className={r.flag.abnormal ? 'lab-row lab-row--abnormal' : 'lab-row'}
          data-testid="lab-row"
          data-abnormal={r.flag.abnormal}
        >
          <td dir="auto">{r.name}</td>
          <td className="lab-row__value" dir="ltr">
            {r.value}
          </td>
          <td dir="ltr">{r.unit ?? ''}</td>
          <td dir="ltr">{r.referenceRange ?? ''}</td>
          <td>
            <LabFlag flag={r.flag} />
          </td>
        </tr>
      ))}
    </tbody>
  );
}
