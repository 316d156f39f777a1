// Peers (administrators): this device's place in the clinic's sync — an enrollment
// code for a new device, listening for peers, connecting to one by address, the
// devices known (with bundle export and revocation), and USB bundle import.
// Refreshed on 'sync.status' events and every 10 s.
import { useState, type ReactNode } from 'react';
import { ErrorAlert, SuccessNotice } from '../components/ErrorAlert';
import { formatDateTime } from '../format/dates';
import { useI18n } from '../i18n/LanguageContext';
import { BundleImportCard } from '../peers/BundleImportCard';
import { ConnectPeerForm } from '../peers/ConnectPeerForm';
import { EnrollmentCard } from '../peers/EnrollmentCard';
import { ListenCard } from '../peers/ListenCard';
import { PeerList } from '../peers/PeerList';
import { SyncProgressBar } from '../peers/SyncProgressBar';
import { useSyncStatus } from '../peers/useSyncStatus';

const REFRESH_MS = 10_000;

export function PeersScreen() {
  const { t, tx, locale } = useI18n();
  const status = useSyncStatus(REFRESH_MS);
  const [notice, setNotice] = useState<ReactNode>(null);
  const s = status.data;

  return (
    <section className="screen" aria-labelledby="peers-title">
      <div className="screen__header">
        <h1 id="peers-title">{t('peers.title')}</h1>
        <button type="button" className="button button--small" onClick={status.reload} disabled={status.loading}>
          {t('app.refresh')}
        </button>
      </div>
      <p className="screen__intro">{t('peers.intro')}</p>
      <ErrorAlert error={status.failure} />
      <SuccessNotice message={notice} />
      {!s && !status.failure && <p className="loading">{t('app.loading')}</p>}
      {s && (
        <>
          <section className="card" aria-labelledby="sync-summary-title" data-testid="sync-summary">
            <h2 id="sync-summary-title">{t('peers.summary.title')}</h2>
            <dl className="facts">
              <div className="facts__item">
                <dt>{t('peers.summary.thisDevice')}</dt>
                <dd className="mono" dir="ltr" data-testid="sync-device-id">
                  {s.deviceId}
                </dd>
              </div>
              <div className="facts__item">
                <dt>{t('peers.summary.clinic')}</dt>
                <dd data-testid="sync-enrolled">
                  {s.enrolled ? t('peers.summary.enrolled') : t('peers.summary.notEnrolled')}
                </dd>
              </div>
              <div className="facts__item">
                <dt>{t('peers.lastSync')}</dt>
                <dd>{s.lastSyncAt ? formatDateTime(s.lastSyncAt, locale) : t('sync.lastSync.never')}</dd>
              </div>
              <div className="facts__item">
                <dt>{t('peers.unsent')}</dt>
                <dd data-testid="sync-unsent">{s.unsentChanges}</dd>
              </div>
              <div className="facts__item">
                <dt>{t('peers.summary.conflicts')}</dt>
                <dd data-testid="sync-conflicts">
                  {s.conflicts > 0 ? <a href="#/conflicts">{s.conflicts}</a> : s.conflicts}
                </dd>
              </div>
            </dl>
            {s.progress && <SyncProgressBar progress={s.progress} testId="peers-progress" />}
          </section>
          <div className="peers__columns">
            <div>
              <ListenCard
                status={s}
                onChanged={(next) => {
                  status.replace(next);
                  setNotice(
                    next.listeningPort !== null
                      ? tx('peers.listen.started', { port: next.listeningPort })
                      : t('peers.listen.stopped'),
                  );
                }}
              />
              <EnrollmentCard listeningPort={s.listeningPort} onIssued={status.reload} />
              <ConnectPeerForm
                onConnected={(next, url) => {
                  status.replace(next);
                  setNotice(tx('peers.connect.started', { url }));
                }}
              />
            </div>
            <div>
              <PeerList
                peers={s.peers}
                onChanged={(next, message) => {
                  status.replace(next);
                  setNotice(message);
                }}
              />
              <BundleImportCard progress={s.progress} />
            </div>
          </div>
        </>
      )}
    </section>
  );
}
