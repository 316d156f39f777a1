import type { Entry } from '../../main/api';
import { useI18n } from '../i18n/LanguageContext';
import { EncounterForm } from './EncounterForm';
import { NoteForm } from './NoteForm';
import { VitalsForm } from './VitalsForm';

/** The forms that add to the chart: vital signs, a note, an encounter. */
export function NewEntryForms({ patientId, onSaved }: { patientId: string; onSaved: (entry: Entry) => void }) {
  const { t } = useI18n();
  const target = { type: 'new', patientId } as const;
  return (
    <section className="card" aria-labelledby="record-title">
      <h2 id="record-title">{t('chart.recordHeading')}</h2>
      <VitalsForm target={target} onSaved={onSaved} />
      <NoteForm target={target} onSaved={onSaved} />
      <EncounterForm target={target} onSaved={onSaved} />
    </section>
  );
}
