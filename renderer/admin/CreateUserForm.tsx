import { useState, type FormEvent } from 'react';
import { contract, ROLES, type Input, type Role } from '../../main/api';
import { useClient } from '../app/ClientContext';
import { ErrorAlert, GeneralErrors, SuccessNotice } from '../components/ErrorAlert';
import { Select, TextInput } from '../components/TextInput';
import { validateWith } from '../forms/validate';
import { useFormSubmit } from '../hooks/useFormSubmit';
import { useI18n } from '../i18n/LanguageContext';

const FIELDS = ['username', 'displayName', 'role', 'password'] as const;
type NewUser = Input<'users.create'>;
const EMPTY: NewUser = { username: '', displayName: '', role: 'nurse', password: '' };

export function CreateUserForm({ onCreated }: { onCreated: () => void }) {
  const client = useClient();
  const { t, tx } = useI18n();
  const [values, setValues] = useState<NewUser>(EMPTY);
  const [created, setCreated] = useState<string | null>(null);
  const form = useFormSubmit(FIELDS);
  const e = form.errors.fields;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setCreated(null);
    const done = await form.submit({
      localIssues: validateWith(contract['users.create'].input, values, t('form.required')),
      send: async () => {
        await client.call('users.create', values);
      },
    });
    if (done) {
      setCreated(values.displayName);
      setValues(EMPTY);
      onCreated();
    }
  }

  return (
    <form className="sub-form" onSubmit={onSubmit} noValidate aria-labelledby="create-user-title">
      <h3 id="create-user-title">{t('admin.createUser')}</h3>
      <div className="grid grid--2">
        <TextInput
          label={t('user.username')}
          hint={t('setup.adminUsernameHelp')}
          testId="user-username"
          dir="ltr"
          autoComplete="off"
          value={values.username}
          onChange={(username) => setValues((v) => ({ ...v, username }))}
          error={e.username}
        />
        <TextInput
          label={t('user.displayName')}
          testId="user-name"
          dir="auto"
          autoComplete="off"
          value={values.displayName}
          onChange={(displayName) => setValues((v) => ({ ...v, displayName }))}
          error={e.displayName}
        />
        <Select<Role>
          label={t('user.role')}
          testId="user-role"
          value={values.role}
          onChange={(role) => setValues((v) => ({ ...v, role }))}
          error={e.role}
          options={ROLES.map((role) => ({ value: role, label: t(`role.${role}`) }))}
        />
        <TextInput
          label={t('user.password')}
          testId="user-password"
          type="password"
          autoComplete="new-password"
          value={values.password}
          onChange={(password) => setValues((v) => ({ ...v, password }))}
          error={e.password}
        />
      </div>
      <GeneralErrors messages={form.errors.general} />
      <ErrorAlert error={form.failure} />
      <SuccessNotice message={created && tx('user.created', { name: created })} />
      <button type="submit" className="button button--primary" data-testid="user-submit" disabled={form.busy}>
        {t('user.submit')}
      </button>
    </form>
  );
}
