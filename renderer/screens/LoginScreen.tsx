import { useState, type FormEvent } from 'react';
import { contract } from '../../main/api';
import { useClient } from '../app/ClientContext';
import type { LoginResult } from '../app/useSession';
import { ErrorAlert, GeneralErrors } from '../components/ErrorAlert';
import { TextInput } from '../components/TextInput';
import { validateWith } from '../forms/validate';
import { useFormSubmit } from '../hooks/useFormSubmit';
import { useI18n } from '../i18n/LanguageContext';
import type { MessageKey } from '../i18n/translate';

const FIELDS = ['username', 'password'] as const;

interface LoginScreenProps {
  notice: MessageKey | null;
  onLoggedIn: (result: LoginResult) => void;
}

export function LoginScreen({ notice, onLoggedIn }: LoginScreenProps) {
  const client = useClient();
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const form = useFormSubmit(FIELDS);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const params = { username, password };
    let result: LoginResult | undefined;
    await form.submit({
      localIssues: validateWith(contract['auth.login'].input, params, t('form.required')),
      send: async () => {
        result = await client.call('auth.login', params);
      },
    });
    if (result) onLoggedIn(result);
    else setPassword('');
  }

  return (
    <section className="card card--narrow" aria-labelledby="login-title">
      <h1 id="login-title">{t('login.title')}</h1>
      {notice && (
        <p
          className={notice === 'login.sessionExpired' ? 'alert alert--warning' : 'alert alert--success'}
          role={notice === 'login.sessionExpired' ? 'alert' : 'status'}
          data-testid="login-notice"
        >
          {t(notice)}
        </p>
      )}
      <form onSubmit={onSubmit} noValidate>
        <TextInput
          label={t('login.username')}
          testId="login-username"
          value={username}
          onChange={setUsername}
          error={form.errors.fields.username}
          autoComplete="username"
          dir="ltr"
        />
        <TextInput
          label={t('login.password')}
          testId="login-password"
          type="password"
          value={password}
          onChange={setPassword}
          error={form.errors.fields.password}
          autoComplete="current-password"
        />
        <GeneralErrors messages={form.errors.general} />
        <ErrorAlert error={form.failure} testId="login-error" />
        <button type="submit" className="button button--primary" data-testid="login-submit" disabled={form.busy}>
          {t('login.submit')}
        </button>
      </form>
    </section>
  );
}
