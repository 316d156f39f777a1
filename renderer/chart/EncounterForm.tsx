// Record (or amend) an encounter: why the patient came and what kind of visit it was.
import { useState, type FormEvent } from 'react';
import { Encounter, type Entry } from '../../main/api';
import { Select, TextInput } from '../components/TextInput';
import { validateWith } from '../forms/validate';
import { useI18n } from '../i18n/LanguageContext';
import type { EntryTarget } from './entry-target';
import { EntryFormFooter } from './EntryFormFooter';
import { useEntryForm } from './useEntryForm';

const FIELDS = ['reason', 'type'] as const;

export type EncounterType = Encounter['type'];
export const ENCOUNTER_TYPES: readonly EncounterType[] = Encounter.shape.type.unwrap().options;

export interface EncounterFormValues {
  reason: string;
  type: EncounterType;
}

export const EMPTY_ENCOUNTER: EncounterFormValues = { reason: '', type: 'outpatient' };

export function encounterFormFromBody(body: Readonly<Record<string, unknown>>): EncounterFormValues {
  const type = ENCOUNTER_TYPES.find((candidate) => candidate === body.type) ?? 'outpatient';
  return { reason: typeof body.reason === 'string' ? body.reason : '', type };
}

interface EncounterFormProps {
  target: EntryTarget;
  initial?: EncounterFormValues;
  onSaved: (entry: Entry) => void;
  onCancel?: () => void;
}

export function EncounterForm({ target, initial = EMPTY_ENCOUNTER, onSaved, onCancel }: EncounterFormProps) {
  const { t } = useI18n();
  const [values, setValues] = useState(initial);
  const entryForm = useEntryForm(FIELDS, target, onSaved);
  const errors = entryForm.form.errors.fields;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const issues = validateWith(Encounter, values, t('form.required'));
    const saved = await entryForm.save({ kind: 'encounter', body: values }, issues, 'encounter.saved');
    if (saved && target.type === 'new') setValues(EMPTY_ENCOUNTER);
  }

  return (
    <form className="entry-form" onSubmit={onSubmit} noValidate aria-label={t('encounter.heading')}>
      {target.type === 'new' && <h3>{t('encounter.heading')}</h3>}
      <TextInput
        label={t('encounter.reason')}
        testId="encounter-reason"
        dir="auto"
        value={values.reason}
        onChange={(reason) => setValues((v) => ({ ...v, reason }))}
        error={errors.reason}
      />
      <Select
        label={t('encounter.type')}
        testId="encounter-type"
        value={values.type}
        onChange={(type) => setValues((v) => ({ ...v, type }))}
        error={errors.type}
        options={ENCOUNTER_TYPES.map((type) => ({ value: type, label: t(`encounter.type.${type}`) }))}
      />
      <EntryFormFooter
        target={target}
        entryForm={entryForm}
        submitTestId="encounter-submit"
        submitLabel={t('encounter.submit')}
        onCancel={onCancel}
      />
    </form>
  );
}
