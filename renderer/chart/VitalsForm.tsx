// Record (or amend) a set of vital signs. Empty fields are not sent.
import { useState, type FormEvent } from 'react';
import { CONSCIOUSNESS, type Entry } from '../../main/api';
import { CheckboxField } from '../components/Field';
import { Select, TextInput } from '../components/TextInput';
import {
  EMPTY_VITALS_FORM,
  validateVitalsForm,
  VITALS_FORM_FIELDS,
  type VitalNumberField,
  type VitalsFormValues,
} from '../forms/vitals-form';
import { useI18n } from '../i18n/LanguageContext';
import type { MessageKey } from '../i18n/translate';
import type { EntryTarget } from './entry-target';
import { EntryFormFooter } from './EntryFormFooter';
import { useEntryForm } from './useEntryForm';

const NUMBER_INPUTS: readonly { field: VitalNumberField; label: MessageKey; testId: string }[] = [
  { field: 'temperatureC', label: 'vitals.temp', testId: 'vitals-temp' },
  { field: 'heartRate', label: 'vitals.hr', testId: 'vitals-hr' },
  { field: 'respiratoryRate', label: 'vitals.rr', testId: 'vitals-rr' },
  { field: 'systolic', label: 'vitals.sys', testId: 'vitals-sys' },
  { field: 'diastolic', label: 'vitals.dia', testId: 'vitals-dia' },
  { field: 'spo2', label: 'vitals.spo2', testId: 'vitals-spo2' },
];

interface VitalsFormProps {
  target: EntryTarget;
  initial?: VitalsFormValues;
  onSaved: (entry: Entry) => void;
  onCancel?: () => void;
}

export function VitalsForm({ target, initial = EMPTY_VITALS_FORM, onSaved, onCancel }: VitalsFormProps) {
  const { t } = useI18n();
  const [values, setValues] = useState(initial);
  const entryForm = useEntryForm(VITALS_FORM_FIELDS, target, onSaved);
  const errors = entryForm.form.errors.fields;
  const set = <K extends keyof VitalsFormValues>(field: K, value: VitalsFormValues[K]) =>
    setValues((v) => ({ ...v, [field]: value }));

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const { input, issues } = validateVitalsForm(values);
    const saved = await entryForm.save({ kind: 'vitals', body: input }, issues, 'vitals.saved');
    if (saved && target.type === 'new') setValues(EMPTY_VITALS_FORM);
  }

  return (
    <form className="entry-form" onSubmit={onSubmit} noValidate aria-label={t('vitals.title')}>
      {target.type === 'new' && <h3>{t('vitals.title')}</h3>}
      <div className="grid grid--3">
        {NUMBER_INPUTS.map(({ field, label, testId }) => (
          <TextInput
            key={field}
            label={t(label)}
            testId={testId}
            inputMode="decimal"
            dir="ltr"
            autoComplete="off"
            value={values[field]}
            onChange={(value) => set(field, value)}
            error={errors[field]}
          />
        ))}
        <Select
          label={t('vitals.scale')}
          testId="vitals-scale"
          value={values.spo2Scale}
          onChange={(scale) => set('spo2Scale', scale)}
          error={errors.spo2Scale}
          options={[
            { value: '1', label: t('vitals.scale1') },
            { value: '2', label: t('vitals.scale2') },
          ]}
        />
        <Select
          label={t('vitals.acvpu')}
          testId="vitals-acvpu"
          value={values.consciousness}
          onChange={(level) => set('consciousness', level)}
          error={errors.consciousness}
          options={[
            { value: '' as const, label: t('vitals.acvpu.none') },
            ...CONSCIOUSNESS.map((level) => ({ value: level, label: t(`vitals.acvpu.${level}`) })),
          ]}
        />
        <CheckboxField
          label={t('vitals.o2')}
          testId="vitals-o2"
          checked={values.supplementalOxygen}
          onChange={(on) => set('supplementalOxygen', on)}
          error={errors.supplementalOxygen}
        />
      </div>
      <EntryFormFooter
        target={target}
        entryForm={entryForm}
        submitTestId="vitals-submit"
        submitLabel={t('vitals.submit')}
        onCancel={onCancel}
      />
    </form>
  );
}
