// Connect to another device of the clinic by its address (ws://HOST:PORT). The
// connection is kept and retried by the host; the peer list shows when it is up.
import { useState, type FormEvent } from 'react';
import { PeerUrl, type SyncStatus } from '../../main/api';
import { useClient } from '../app/ClientContext';
import { ErrorAlert, GeneralErrors } from '../components/ErrorAlert';
import { TextInput } from '../components/TextInput';
import { validateFieldWith } from '../forms/validate';
import { useFormSubmit } from '../hooks/useFormSubmit';
import { useI18n } from '../i18n/LanguageContext';

const FIELDS = ['url'] as const;

export function ConnectPeerForm({ onConnected }: { onConnected: (status: SyncStatus, url: string) => void }) {
  const client = useClient();
  const { t } = useI18n();
  const [url, setUrl] = useState('');
  const form = useFormSubmit(FIELDS);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    let next: SyncStatus | undefined;
    await form.submit({
      localIssues: validateFieldWith(PeerUrl, url, 'url', t('form.required')),
      send: async () => {
        next = await client.call('sync.connect', { url });
      },
    });
    if (next) {
      onConnected(next, url.trim());
      setUrl('');
    }
  }

  return (
    <section className="card" aria-labelledby="connect-peer-title">
      <h2 id="connect-peer-title">{t('peers.connect.title')}</h2>
      <form className="inline-form" onSubmit={onSubmit} noValidate data-testid="peer-connect-form">
        <TextInput
          label={t('peers.connect.url')}
          hint={t('peers.connect.urlHint')}
          testId="peer-url"
          dir="ltr"
          autoComplete="off"
          placeholder="ws://192.168.1.20:8471"
          value={url}
          onChange={setUrl}
          error={form.errors.fields.url}
        />
        <button type="submit" className="button button--primary" data-testid="peer-connect" disabled={form.busy}>
          {t('peers.connect.submit')}
        </button>
      </form>
      <GeneralErrors messages={form.errors.general} />
      <ErrorAlert error={form.failure} />
    </section>
  );
}
