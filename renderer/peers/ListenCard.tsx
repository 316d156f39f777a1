// Whether this device accepts connections from the clinic's other devices, and on
// which port. Off by default: an administrator turns it on where the LAN is trusted.
import { useState, type FormEvent } from 'react';
import { contract, type SyncStatus } from '../../main/api';
import { useClient } from '../app/ClientContext';
import { ErrorAlert, GeneralErrors } from '../components/ErrorAlert';
import { TextInput } from '../components/TextInput';
import { validateFieldWith } from '../forms/validate';
import { useFormSubmit } from '../hooks/useFormSubmit';
import { useI18n } from '../i18n/LanguageContext';

const FIELDS = ['port'] as const;
const PORT = contract['sync.listen'].input.shape.port.unwrap();
export const DEFAULT_PEER_PORT = 8471;

export function ListenCard({ status, onChanged }: { status: SyncStatus; onChanged: (status: SyncStatus) => void }) {
  const client = useClient();
  const { t, tx } = useI18n();
  const [port, setPort] = useState(String(DEFAULT_PEER_PORT));
  const form = useFormSubmit(FIELDS);
  const listening = status.listeningPort !== null;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const wanted = port.trim() === '' ? Number.NaN : Number(port);
    let next: SyncStatus | undefined;
    await form.submit({
      localIssues: listening
        ? []
        : Number.isInteger(wanted)
          ? validateFieldWith(PORT, wanted, 'port')
          : [{ path: 'port', message: t('peers.listen.portInvalid') }],
      send: async () => {
        next = await client.call('sync.listen', listening ? { enabled: false } : { enabled: true, port: wanted });
      },
    });
    if (next) onChanged(next);
  }

  return (
    <section className="card" aria-labelledby="listen-title" data-testid="listen-card" data-listening={listening}>
      <h2 id="listen-title">{t('peers.listen.title')}</h2>
      <p data-testid="listen-state">
        {listening
          ? tx('peers.listen.on', { port: <span className="mono">{status.listeningPort}</span> })
          : t('peers.listen.off')}
      </p>
      <form className="inline-form" onSubmit={onSubmit} noValidate>
        {!listening && (
          <TextInput
            label={t('peers.listen.port')}
            hint={t('peers.listen.portHint')}
            testId="listen-port"
            dir="ltr"
            inputMode="numeric"
            autoComplete="off"
            value={port}
            onChange={setPort}
            error={form.errors.fields.port}
          />
        )}
        <button
          type="submit"
          className={listening ? 'button button--danger' : 'button button--primary'}
          data-testid="listen-toggle"
          disabled={form.busy}
        >
          {listening ? t('peers.listen.stop') : t('peers.listen.start')}
        </button>
      </form>
      <GeneralErrors messages={form.errors.general} />
      <ErrorAlert error={form.failure} />
    </section>
  );
}
