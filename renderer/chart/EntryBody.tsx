// What an entry says, by kind. Bodies are read defensively: they are records of
// whatever the schema of their day accepted.
import type { Entry } from '../../main/api';
import { useI18n } from '../i18n/LanguageContext';
import { labFlag } from '../lab/lab-flags';
import { LabFlag } from '../lab/LabFlag';
import { encounterFormFromBody } from './EncounterForm';
import { noteFormFromBody } from './NoteForm';
import { readObservation } from './observation';
import { readVitals } from './vitals-rows';

export function EntryBody({ entry }: { entry: Entry }) {
  switch (entry.kind) {
    case 'vitals':
      return <VitalsSummary body={entry.body} />;
    case 'note':
      return <NoteBody body={entry.body} />;
    case 'encounter':
      return <EncounterBody body={entry.body} />;
    case 'device-reading':
    case 'lab-result':
      return <ObservationBody body={entry.body} kind={entry.kind} />;
  }
}

function ObservationBody({ body, kind }: { body: Entry['body']; kind: Entry['kind'] }) {
  const { t } = useI18n();
  const o = readObservation(body);
  const flag = kind === 'lab-result' ? labFlag(body.abnormalFlag) : null;
  return (
    <p className={o.flagged ? 'observation observation--abnormal' : 'observation'} data-flagged={o.flagged}>
      <span dir="auto">{o.name}</span>:{' '}
      <strong className="observation__value" dir="ltr">
        {o.value}
        {o.unit ? ` ${o.unit}` : ''}
      </strong>
      {o.referenceRange && (
        <span className="observation__range">
          {' '}
          ({t('entry.referenceRange')} <span dir="ltr">{o.referenceRange}</span>)
        </span>
      )}
      {flag?.code ? (
        <>
          {' '}
          <LabFlag flag={flag} />
        </>
      ) : (
        o.flagged && <strong className="observation__flag"> {t('entry.abnormal')}</strong>
      )}
      {o.source && (
        <span className="observation__source" dir="auto">
          {' '}
          — {o.source}
        </span>
      )}
    </p>
  );
}

function VitalsSummary({ body }: { body: Entry['body'] }) {
  const { t } = useI18n();
  const r = readVitals(body);
  const parts: [string, string][] = [];
  if (r.temperatureC !== undefined) parts.push([t('vitals.col.temp'), String(r.temperatureC)]);
  if (r.heartRate !== undefined) parts.push([t('vitals.col.hr'), String(r.heartRate)]);
  if (r.respiratoryRate !== undefined) parts.push([t('vitals.col.rr'), String(r.respiratoryRate)]);
  if (r.systolic !== undefined || r.diastolic !== undefined)
    parts.push([t('vitals.col.bp'), `${r.systolic ?? '—'}/${r.diastolic ?? '—'}`]);
  if (r.spo2 !== undefined)
    parts.push([t('vitals.col.spo2'), r.spo2Scale === 2 ? `${r.spo2} (${t('vitals.scale2Marker')})` : String(r.spo2)]);
  parts.push([t('vitals.col.o2'), r.supplementalOxygen ? t('vitals.onOxygen') : t('vitals.onAir')]);
  if (r.consciousness) parts.push([t('vitals.col.acvpu'), r.consciousness]);
  return (
    <dl className="vitals-summary">
      {parts.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd dir="ltr">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function NoteBody({ body }: { body: Entry['body'] }) {
  const note = noteFormFromBody(body);
  return (
    <div>
      {note.title && <p className="note__title">{note.title}</p>}
      <p className="note__text">{note.text}</p>
    </div>
  );
}

function EncounterBody({ body }: { body: Entry['body'] }) {
  const { t } = useI18n();
  const encounter = encounterFormFromBody(body);
  return (
    <p>
      <strong>{t(`encounter.type.${encounter.type}`)}</strong>: <span dir="auto">{encounter.reason}</span>
    </p>
  );
}
