// A patient's chart: who they are, open sync conflicts to resolve, live data of
// attached bedside devices, allergies and lists, vitals, lab results, waveform
// recordings, the full timeline, and the forms that add to it; at the end, which
// devices may hold copies (sharing). Refreshed when the host says the patient changed.
import { useState } from 'react';
import type { Entry } from '../../main/api';
import { AllergyPanel } from '../chart/AllergyPanel';
import { AmendPanel } from '../chart/AmendPanel';
import { ChartHeader } from '../chart/ChartHeader';
import { ChartItemList } from '../chart/ChartItemList';
import { ChartLive } from '../chart/ChartLive';
import { ConflictsPanel } from '../chart/ConflictsPanel';
import { LabResultsTable } from '../chart/LabResultsTable';
import { RecordingsPanel } from '../chart/RecordingsPanel';
import { SharingPanel } from '../chart/SharingPanel';
import { NewEntryForms } from '../chart/NewEntryForms';
import { Timeline } from '../chart/Timeline';
import { VitalsTable } from '../chart/VitalsTable';
import { useCurrentSession } from '../app/SessionContext';
import { ErrorAlert, SuccessNotice } from '../components/ErrorAlert';
import { useHostData } from '../hooks/useHostData';
import { useHostEvent } from '../hooks/useHostEvent';
import { useI18n } from '../i18n/LanguageContext';
import type { MessageKey } from '../i18n/translate';

export function ChartScreen({ patientId }: { patientId: string }) {
  const { t } = useI18n();
  const { permissions } = useCurrentSession();
  const record = useHostData('patients.get', { patientId });
  const [amending, setAmending] = useState<Entry | null>(null);
  const [notice, setNotice] = useState<MessageKey | null>(null);

  const reloadIfThisPatient = (event: { patientId: string }) => {
    if (event.patientId === patientId) record.reload();
  };
  useHostEvent('patient.changed', reloadIfThisPatient);
  useHostEvent('entry.recorded', reloadIfThisPatient);

  const back = (
    <a className="back-link" href="#/patients">
      {t('chart.back')}
    </a>
  );
  if (!record.data) {
    return (
      <section className="screen">
        {back}
        {record.failure ? <ErrorAlert error={record.failure} /> : <p className="loading">{t('app.loading')}</p>}
      </section>
    );
  }

  const { chart, entries } = record.data;
  return (
    <section className="screen chart" aria-busy={record.loading}>
      {back}
      <ErrorAlert error={record.failure} />
      <ChartHeader chart={chart} />
      {permissions.includes('conflicts.list') && <ConflictsPanel patientId={patientId} onResolved={record.reload} />}
      {permissions.includes('devices.list') && <ChartLive patientId={patientId} />}
      <div className="chart__lists">
        <AllergyPanel chart={chart} onChanged={(updated) => record.replace({ chart: updated, entries })} />
        <ChartItemList title={t('chart.problems')} items={chart.problems} testId="chart-problems" />
        <ChartItemList title={t('chart.medications')} items={chart.medications} testId="chart-medications" />
      </div>
      <div className="chart__columns">
        <div className="chart__history">
          <VitalsTable entries={entries} />
          <LabResultsTable entries={entries} />
          {permissions.includes('patients.recordings') && <RecordingsPanel patientId={patientId} />}
          <SuccessNotice message={notice && t(notice)} />
          <Timeline
            entries={entries}
            onAmend={(entry) => {
              setNotice(null);
              setAmending(entry);
            }}
          />
        </div>
        <div className="chart__record">
          {amending ? (
            <AmendPanel
              key={amending.id}
              entry={amending}
              onSaved={() => {
                setAmending(null);
                setNotice('amend.saved');
                record.reload();
              }}
              onCancel={() => setAmending(null)}
            />
          ) : (
            <NewEntryForms patientId={patientId} onSaved={record.reload} />
          )}
        </div>
      </div>
      <SharingPanel chart={chart} onChanged={(updated) => record.replace({ chart: updated, entries })} />
    </section>
  );
}
