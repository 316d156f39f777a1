// Register a new patient, then open the new chart.
import { useState, type FormEvent } from 'react';
import { PatientRegistration } from '../../main/api';
import { useClient } from '../app/ClientContext';
import { ErrorAlert, GeneralErrors } from '../components/ErrorAlert';
import { Select, TextArea, TextInput } from '../components/TextInput';
import { todayIsoDate } from '../format/dates';
import {
  EMPTY_REGISTRATION,
  REGISTRATION_FIELDS,
  registrationFormToInput,
  SEXES,
  type RegistrationFormValues,
} from '../forms/registration-form';
import { validateWith } from '../forms/validate';
import { useFormSubmit } from '../hooks/useFormSubmit';
import { navigate } from '../hooks/useHashRoute';
import { useI18n } from '../i18n/LanguageContext';

type TextField = Exclude<keyof RegistrationFormValues, 'sex'>;

export function RegisterScreen() {
  const client = useClient();
  const { t } = useI18n();
  const [values, setValues] = useState(EMPTY_REGISTRATION);
  const form = useFormSubmit(REGISTRATION_FIELDS);
  const text = (field: TextField) => ({
    value: values[field],
    onChange: (value: string) => setValues((v) => ({ ...v, [field]: value })),
    error: form.errors.fields[field],
  });

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const input = registrationFormToInput(values);
    let patientId: string | undefined;
    await form.submit({
      localIssues: validateWith(PatientRegistration, input, t('form.required')),
      send: async () => {
        patientId = (await client.call('patients.register', input)).id;
      },
    });
    if (patientId !== undefined) navigate({ screen: 'chart', patientId });
  }

  const optional = t('form.optional');
  return (
    <section className="screen" aria-labelledby="register-title">
      <h1 id="register-title">{t('register.title')}</h1>
      <form className="card" onSubmit={onSubmit} noValidate>
        <fieldset className="grid grid--3">
          <legend>{t('register.namesHeading')}</legend>
          <TextInput
            label={t('register.given')}
            testId="reg-given"
            dir="auto"
            autoComplete="off"
            {...text('givenName')}
          />
          <TextInput
            label={t('register.father')}
            testId="reg-father"
            dir="auto"
            autoComplete="off"
            optional={optional}
            {...text('fatherName')}
          />
          <TextInput
            label={t('register.family')}
            testId="reg-family"
            dir="auto"
            autoComplete="off"
            {...text('familyName')}
          />
          <TextInput
            label={t('register.latin')}
            testId="reg-latin"
            dir="ltr"
            autoComplete="off"
            optional={optional}
            {...text('latinName')}
          />
        </fieldset>
        <fieldset className="grid grid--3">
          <legend>{t('register.detailsHeading')}</legend>
          <Select
            label={t('register.sex')}
            testId="reg-sex"
            value={values.sex}
            onChange={(sex) => setValues((v) => ({ ...v, sex }))}
            error={form.errors.fields.sex}
            options={SEXES.map((s) => ({ value: s, label: t(`sex.${s}`) }))}
          />
          <TextInput
            label={t('register.birthdate')}
            testId="reg-birthdate"
            type="date"
            max={todayIsoDate()}
            {...text('birthDate')}
          />
          <TextInput
            label={t('register.phone')}
            testId="reg-phone"
            type="tel"
            inputMode="tel"
            dir="ltr"
            optional={optional}
            {...text('phone')}
          />
          <TextInput
            label={t('register.nationalId')}
            testId="reg-national-id"
            dir="ltr"
            autoComplete="off"
            optional={optional}
            {...text('nationalId')}
          />
          <TextInput
            label={t('register.address')}
            testId="reg-address"
            dir="auto"
            optional={optional}
            {...text('address')}
          />
        </fieldset>
        <TextArea
          label={t('register.allergies')}
          hint={t('register.allergiesHelp')}
          testId="reg-allergies"
          dir="auto"
          optional={optional}
          rows={3}
          {...text('allergies')}
        />
        <GeneralErrors messages={form.errors.general} />
        <ErrorAlert error={form.failure} />
        <button type="submit" className="button button--primary" data-testid="reg-submit" disabled={form.busy}>
          {form.busy ? t('form.saving') : t('register.submit')}
        </button>
      </form>
    </section>
  );
}
