// A one-time enrollment code for another device of the clinic: the short code to
// type, the QR text to scan, and when it stops working. The other device joins
// through this device's peer port, so the card says when listening is off.
import { useState } from 'react';
import type { Output } from '../../main/api';
import { useClient } from '../app/ClientContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatDateTime } from '../format/dates';
import { useI18n } from '../i18n/LanguageContext';

type Enrollment = Output<'sync.enrollmentCode'>;

export function EnrollmentCard({ listeningPort, onIssued }: { listeningPort: number | null; onIssued: () => void }) {
  const client = useClient();
  const { t, tx, locale } = useI18n();
  const [issued, setIssued] = useState<Enrollment | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);

  async function issue() {
    setBusy(true);
    setFailure(null);
    try {
      setIssued(await client.call('sync.enrollmentCode', {}));
      // The first code makes this device a clinic: the status changes with it.
      onIssued();
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="enroll-title" data-testid="enroll-card">
      <h2 id="enroll-title">{t('peers.enroll.title')}</h2>
      <p className="field__hint">{t('peers.enroll.intro')}</p>
      {listeningPort === null && (
        <p className="callout" data-testid="enroll-not-listening">
          {t('peers.enroll.notListening')}
        </p>
      )}
      {issued && (
        <div className="enroll-code" data-testid="enroll-result">
          <p className="enroll-code__label">{t('peers.enroll.code')}</p>
          <p className="enroll-code__code mono" dir="ltr" data-testid="enroll-code">
            {issued.code}
          </p>
          <p data-testid="enroll-expires">
            {tx('peers.enroll.expires', { at: formatDateTime(issued.expiresAt, locale) })}
          </p>
          <label className="field__label" htmlFor="enroll-qr">
            {t('peers.enroll.qr')}
          </label>
          <textarea
            id="enroll-qr"
            className="enroll-code__qr mono"
            dir="ltr"
            readOnly
            rows={3}
            value={issued.qr}
            data-testid="enroll-qr"
          />
          <p className="field__hint">{t('peers.enroll.join')}</p>
          <pre className="command mono" dir="ltr" data-testid="enroll-command">
            {`sijill peers join --data-dir DIR --code ${issued.code} --peer ws://HOST:${listeningPort ?? 'PORT'}`}
          </pre>
        </div>
      )}
      <ErrorAlert error={failure} />
      <button
        type="button"
        className="button button--primary"
        data-testid="enroll-generate"
        disabled={busy}
        onClick={() => void issue()}
      >
        {issued ? t('peers.enroll.again') : t('peers.enroll.generate')}
      </button>
    </section>
  );
}
