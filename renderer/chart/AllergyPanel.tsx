// The patient's allergies, prominent, with a way to add one.
import { useState, type FormEvent } from 'react';
import { contract, type PatientChart } from '../../main/api';
import { useClient } from '../app/ClientContext';
import { ErrorAlert, GeneralErrors } from '../components/ErrorAlert';
import { TextInput } from '../components/TextInput';
import { validateFieldWith } from '../forms/validate';
import { useFormSubmit } from '../hooks/useFormSubmit';
import { useI18n } from '../i18n/LanguageContext';

const FIELDS = ['text'] as const;
const ALLERGY_TEXT = contract['patients.addAllergy'].input.shape.text;

export function AllergyPanel({ chart, onChanged }: { chart: PatientChart; onChanged: (chart: PatientChart) => void }) {
  const client = useClient();
  const { t } = useI18n();
  const [text, setText] = useState('');
  const form = useFormSubmit(FIELDS);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    let updated: PatientChart | undefined;
    await form.submit({
      localIssues: validateFieldWith(ALLERGY_TEXT, text, 'text', t('form.required')),
      send: async () => {
        updated = await client.call('patients.addAllergy', { patientId: chart.id, text });
      },
    });
    if (updated) {
      setText('');
      onChanged(updated);
    }
  }

  const hasAllergies = chart.allergies.length > 0;
  return (
    <section
      className={hasAllergies ? 'card allergies allergies--present' : 'card allergies'}
      aria-labelledby="allergies-title"
    >
      <h2 id="allergies-title">{t('chart.allergies')}</h2>
      {hasAllergies ? (
        <ul className="allergies__list" data-testid="allergy-list">
          {chart.allergies.map((a) => (
            <li key={a.id} dir="auto">
              {a.text}
            </li>
          ))}
        </ul>
      ) : (
        <p className="empty">{t('chart.noAllergies')}</p>
      )}
      <form className="inline-form" onSubmit={onSubmit} noValidate>
        <TextInput
          label={t('chart.allergyInput')}
          testId="allergy-input"
          dir="auto"
          autoComplete="off"
          value={text}
          onChange={setText}
          error={form.errors.fields.text}
        />
        <button type="submit" className="button" data-testid="allergy-add" disabled={form.busy}>
          {t('chart.allergyAdd')}
        </button>
      </form>
      <GeneralErrors messages={form.errors.general} />
      <ErrorAlert error={form.failure} />
    </section>
  );
}
