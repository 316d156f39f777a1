// First run: name the clinic, choose the database passphrase, create the first administrator.
import { useState, type FormEvent } from 'react';
import { contract } from '../../main/api';
import type { Issue } from '../api/issues';
import { useClient } from '../app/ClientContext';
import { ErrorAlert, GeneralErrors } from '../components/ErrorAlert';
import { TextInput } from '../components/TextInput';
import { validateWith } from '../forms/validate';
import { useFormSubmit } from '../hooks/useFormSubmit';
import { useI18n } from '../i18n/LanguageContext';

const FIELDS = [
  'clinicName',
  'passphrase',
  'passphraseConfirm',
  'adminUsername',
  'adminDisplayName',
  'adminPassword',
  'adminPasswordConfirm',
] as const;
type SetupField = (typeof FIELDS)[number];
type SetupValues = Record<SetupField, string>;

const EMPTY: SetupValues = {
  clinicName: '',
  passphrase: '',
  passphraseConfirm: '',
  adminUsername: '',
  adminDisplayName: '',
  adminPassword: '',
  adminPasswordConfirm: '',
};

export function SetupScreen({ onInitialized }: { onInitialized: () => void }) {
  const client = useClient();
  const { t } = useI18n();
  const [values, setValues] = useState(EMPTY);
  const form = useFormSubmit(FIELDS);
  const set = (field: SetupField) => (value: string) => setValues((v) => ({ ...v, [field]: value }));

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const params = {
      clinicName: values.clinicName,
      passphrase: values.passphrase,
      adminUsername: values.adminUsername,
      adminDisplayName: values.adminDisplayName,
      adminPassword: values.adminPassword,
    };
    const issues: Issue[] = validateWith(contract['host.initialize'].input, params, t('form.required'));
    if (values.passphraseConfirm !== values.passphrase)
      issues.push({ path: 'passphraseConfirm', message: t('setup.passphraseMismatch') });
    if (values.adminPasswordConfirm !== values.adminPassword)
      issues.push({ path: 'adminPasswordConfirm', message: t('setup.passwordMismatch') });
    const done = await form.submit({
      localIssues: issues,
      send: async () => {
        await client.call('host.initialize', params);
      },
    });
    if (done) onInitialized();
  }

  const e = form.errors.fields;
  return (
    <section className="card card--narrow" aria-labelledby="setup-title">
      <h1 id="setup-title">{t('setup.title')}</h1>
      <p>{t('setup.intro')}</p>
      <form onSubmit={onSubmit} noValidate>
        <fieldset>
          <legend>{t('setup.clinicHeading')}</legend>
          <TextInput
            label={t('setup.clinic')}
            testId="setup-clinic"
            value={values.clinicName}
            onChange={set('clinicName')}
            error={e.clinicName}
            autoComplete="organization"
          />
          <p className="callout">{t('setup.passphraseHelp')}</p>
          <TextInput
            label={t('setup.passphrase')}
            testId="setup-passphrase"
            type="password"
            value={values.passphrase}
            onChange={set('passphrase')}
            error={e.passphrase}
            autoComplete="new-password"
          />
          <TextInput
            label={t('setup.passphraseConfirm')}
            testId="setup-passphrase-confirm"
            type="password"
            value={values.passphraseConfirm}
            onChange={set('passphraseConfirm')}
            error={e.passphraseConfirm}
            autoComplete="new-password"
          />
        </fieldset>
        <fieldset>
          <legend>{t('setup.adminHeading')}</legend>
          <TextInput
            label={t('setup.adminUsername')}
            hint={t('setup.adminUsernameHelp')}
            testId="setup-admin-username"
            value={values.adminUsername}
            onChange={set('adminUsername')}
            error={e.adminUsername}
            autoComplete="username"
            dir="ltr"
          />
          <TextInput
            label={t('setup.adminName')}
            testId="setup-admin-name"
            value={values.adminDisplayName}
            onChange={set('adminDisplayName')}
            error={e.adminDisplayName}
            autoComplete="name"
          />
          <TextInput
            label={t('setup.adminPassword')}
            testId="setup-admin-password"
            type="password"
            value={values.adminPassword}
            onChange={set('adminPassword')}
            error={e.adminPassword}
            autoComplete="new-password"
          />
          <TextInput
            label={t('setup.adminPasswordConfirm')}
            testId="setup-admin-password-confirm"
            type="password"
            value={values.adminPasswordConfirm}
            onChange={set('adminPasswordConfirm')}
            error={e.adminPasswordConfirm}
            autoComplete="new-password"
          />
        </fieldset>
        <GeneralErrors messages={form.errors.general} />
        <ErrorAlert error={form.failure} />
        <button type="submit" className="button button--primary" data-testid="setup-submit" disabled={form.busy}>
          {form.busy ? t('form.saving') : t('setup.submit')}
        </button>
      </form>
    </section>
  );
}
