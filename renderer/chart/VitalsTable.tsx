// Vital signs in force, newest first: one row per vitals entry not corrected by an amendment.
import type { Entry } from '../../main/api';
import { formatDateTime } from '../format/dates';
import { useI18n } from '../i18n/LanguageContext';
import { vitalsRows, type VitalsRow } from './vitals-rows';

const MISSING = '—';
const show = (value: number | undefined) => (value === undefined ? MISSING : String(value));

export function VitalsTable({ entries }: { entries: readonly Entry[] }) {
  const { t } = useI18n();
  const rows = vitalsRows(entries);
  return (
    <section className="card" aria-labelledby="vitals-table-title">
      <h2 id="vitals-table-title">{t('vitals.tableTitle')}</h2>
      <div className="table-scroll">
        <table className="table table--numeric" data-testid="vitals-table">
          <thead>
            <tr>
              <th scope="col">{t('vitals.col.time')}</th>
              <th scope="col">{t('vitals.col.temp')}</th>
              <th scope="col">{t('vitals.col.hr')}</th>
              <th scope="col">{t('vitals.col.rr')}</th>
              <th scope="col">{t('vitals.col.bp')}</th>
              <th scope="col">{t('vitals.col.spo2')}</th>
              <th scope="col">{t('vitals.col.o2')}</th>
              <th scope="col">{t('vitals.col.acvpu')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <VitalsTableRow key={row.entryId} row={row} />
            ))}
          </tbody>
        </table>
      </div>
      {rows.length === 0 && <p className="empty">{t('vitals.none')}</p>}
    </section>
  );
}

function VitalsTableRow({ row }: { row: VitalsRow }) {
  const { t, locale } = useI18n();
  const r = row.reading;
  const bloodPressure =
    r.systolic === undefined && r.diastolic === undefined ? MISSING : `${show(r.systolic)}/${show(r.diastolic)}`;
  return (
    <tr data-testid="vitals-row" data-entry-id={row.entryId}>
      <td>
        <time dateTime={row.recordedAt}>{formatDateTime(row.recordedAt, locale)}</time>
      </td>
      <td data-col="temp">{show(r.temperatureC)}</td>
      <td data-col="hr">{show(r.heartRate)}</td>
      <td data-col="rr">{show(r.respiratoryRate)}</td>
      <td data-col="bp" dir="ltr">
        {bloodPressure}
      </td>
      <td data-col="spo2">
        {show(r.spo2)}
        {r.spo2Scale === 2 && (
          <abbr className="marker" title={t('vitals.scale2Title')} data-testid="vitals-scale2">
            {t('vitals.scale2Marker')}
          </abbr>
        )}
      </td>
      <td data-col="o2">{r.supplementalOxygen ? t('vitals.onOxygen') : t('vitals.onAir')}</td>
      <td data-col="acvpu">{r.consciousness ?? MISSING}</td>
    </tr>
  );
}
