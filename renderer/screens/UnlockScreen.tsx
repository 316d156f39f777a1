// The database is locked (e.g. after a restart): ask for its passphrase.
import { useState, type FormEvent } from 'react';
import { contract } from '../../main/api';
import { useClient } from '../app/ClientContext';
import { ErrorAlert, GeneralErrors } from '../components/ErrorAlert';
import { TextInput } from '../components/TextInput';
import { validateWith } from '../forms/validate';
import { useFormSubmit } from '../hooks/useFormSubmit';
import { useI18n } from '../i18n/LanguageContext';

const FIELDS = ['passphrase'] as const;

export function UnlockScreen({ onUnlocked }: { onUnlocked: () => void }) {
  const client = useClient();
  const { t } = useI18n();
  const [passphrase, setPassphrase] = useState('');
  const form = useFormSubmit(FIELDS);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const params = { passphrase };
    const done = await form.submit({
      localIssues: validateWith(contract['host.unlock'].input, params, t('form.required')),
      send: async () => {
        await client.call('host.unlock', params);
      },
    });
    if (done) onUnlocked();
    else setPassphrase('');
  }

  return (
    <section className="card card--narrow" aria-labelledby="unlock-title">
      <h1 id="unlock-title">{t('unlock.title')}</h1>
      <p>{t('unlock.intro')}</p>
      <form onSubmit={onSubmit} noValidate>
        <TextInput
          label={t('unlock.passphrase')}
          testId="unlock-passphrase"
          type="password"
          value={passphrase}
          onChange={setPassphrase}
          error={form.errors.fields.passphrase}
          autoComplete="current-password"
        />
        <GeneralErrors messages={form.errors.general} />
        <ErrorAlert error={form.failure} testId="unlock-error" />
        <button type="submit" className="button button--primary" data-testid="unlock-submit" disabled={form.busy}>
          {t('unlock.submit')}
        </button>
      </form>
    </section>
  );
}
