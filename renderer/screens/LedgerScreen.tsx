// The anchoring status: this device's signed log and its checkpoints, the national
// ledger, the anchor queue and the last anchor. Open to every role (only hashes and
// counts); sealing a checkpoint by hand only to those allowed to.
import { useState } from 'react';
import type { AnchorStatus } from '../../main/api';
import { HashValue } from '../anchor/CopyButton';
import { coverage, isQueueState, ledgerView, pendingText, queueCounts, shortHash } from '../anchor/status-model';
import { useAnchorStatus } from '../anchor/useAnchorStatus';
import { useClient } from '../app/ClientContext';
import { useCurrentSession } from '../app/SessionContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatDateTime } from '../format/dates';
import { useI18n } from '../i18n/LanguageContext';

const REFRESH_MS = 10_000;

export function LedgerScreen() {
  const { t } = useI18n();
  const { permissions } = useCurrentSession();
  const status = useAnchorStatus(REFRESH_MS);
  return (
    <section className="screen" aria-labelledby="ledger-title">
      <div className="screen__header">
        <h1 id="ledger-title">{t('anchor.title')}</h1>
        <button type="button" className="button button--small" onClick={status.reload} disabled={status.loading}>
          {t('app.refresh')}
        </button>
      </div>
      <p className="screen__intro">{t('anchor.intro')}</p>
      <ErrorAlert error={status.failure} />
      {status.data ? (
        <div className="anchor-panel" data-testid="anchor-status" aria-busy={status.loading}>
          <LogCard status={status.data} canSeal={permissions.includes('anchor.sealNow')} onSealed={status.reload} />
          <LedgerCard status={status.data} />
          <QueueCard status={status.data} />
          <LastAnchorCard status={status.data} />
        </div>
      ) : (
        !status.failure && <p className="loading">{t('app.loading')}</p>
      )}
    </section>
  );
}

function LogCard({ status, canSeal, onSealed }: { status: AnchorStatus; canSeal: boolean; onSealed: () => void }) {
  const { t, locale } = useI18n();
  const cover = coverage(status);
  const last = status.lastCheckpoint;
  return (
    <section className="card" aria-labelledby="anchor-log-title">
      <h2 id="anchor-log-title">{t('anchor.log')}</h2>
      <dl className="stats">
        <div className="stats__item">
          <dt>{t('anchor.leaves')}</dt>
          <dd data-testid="anchor-leaves">{status.leaves}</dd>
        </div>
        <div className="stats__item">
          <dt>{t('anchor.checkpoints')}</dt>
          <dd data-testid="anchor-checkpoints">{status.checkpoints}</dd>
        </div>
      </dl>
      <p className="anchor-fact" data-testid="anchor-last-checkpoint">
        <span className="anchor-fact__label">{t('anchor.lastCheckpoint')}: </span>
        {last
          ? t('anchor.lastCheckpointValue', { size: last.treeSize, time: formatDateTime(last.createdAt, locale) })
          : t('anchor.noCheckpoint')}
      </p>
      <div className="anchor-progress" data-testid="anchor-progress">
        <Progress
          id="anchor-progress-sealed"
          label={t('anchor.progress.sealed', { sealed: cover.sealed, leaves: cover.leaves })}
          value={cover.sealed}
          max={cover.leaves}
        />
        {status.ledgerConfigured && (
          <Progress
            id="anchor-progress-anchored"
            label={t('anchor.progress.anchored', { anchored: cover.anchored, leaves: cover.leaves })}
            value={cover.anchored}
            max={cover.leaves}
          />
        )}
      </div>
      {canSeal && <SealNow onSealed={onSealed} />}
    </section>
  );
}

function Progress({ id, label, value, max }: { id: string; label: string; value: number; max: number }) {
  return (
    <div className="progress">
      <label htmlFor={id}>{label}</label>
      {/* An empty log is complete, not stuck at zero. */}
      <progress id={id} value={max === 0 ? 1 : value} max={max === 0 ? 1 : max} />
    </div>
  );
}

function SealNow({ onSealed }: { onSealed: () => void }) {
  const client = useClient();
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [sealed, setSealed] = useState<{ treeSize: number | null } | null>(null);

  async function seal() {
    setBusy(true);
    setFailure(null);
    setSealed(null);
    try {
      setSealed(await client.call('anchor.sealNow', {}));
      onSealed();
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="seal-now">
      <button
        type="button"
        className="button button--primary"
        data-testid="anchor-seal-now"
        onClick={() => void seal()}
        disabled={busy}
      >
        {busy ? t('anchor.sealing') : t('anchor.sealNow')}
      </button>
      <p className="field__hint">{t('anchor.sealHelp')}</p>
      <ErrorAlert error={failure} />
      {sealed && (
        <p className="alert alert--success" role="status" data-testid="anchor-seal-result">
          {sealed.treeSize === null ? t('anchor.sealNothing') : t('anchor.sealed', { size: sealed.treeSize })}
        </p>
      )}
    </div>
  );
}

function LedgerCard({ status }: { status: AnchorStatus }) {
  const { t } = useI18n();
  const ledger = ledgerView(status);
  const alertClass =
    ledger.state === 'reachable'
      ? 'alert alert--success'
      : ledger.state === 'unreachable'
        ? 'alert alert--warning'
        : 'callout';
  return (
    <section className="card" aria-labelledby="anchor-ledger-title">
      <h2 id="anchor-ledger-title">{t('anchor.ledger')}</h2>
      <div data-testid="anchor-ledger-state" data-state={ledger.state} data-configured={status.ledgerConfigured}>
        <p className={alertClass}>{t(ledger.text.key, ledger.text.vars)}</p>
        {ledger.lastError && (
          <p className="anchor-fact" data-testid="anchor-ledger-error">
            <span className="anchor-fact__label">{t('anchor.ledger.lastError')}: </span>
            <span dir="ltr" lang="en">
              {ledger.lastError}
            </span>
          </p>
        )}
        {ledger.network && (
          <dl className="facts">
            <div className="facts__item">
              <dt>{t('anchor.ledger.chainId')}</dt>
              <dd className="mono">{ledger.network.chainId}</dd>
            </div>
            <div className="facts__item">
              <dt>{t('anchor.ledger.contract')}</dt>
              <dd>
                <HashValue
                  hash={ledger.network.contract}
                  short={ledger.network.contract}
                  label={t('anchor.ledger.contract')}
                />
              </dd>
            </div>
            <div className="facts__item">
              <dt>{t('anchor.ledger.rpcUrl')}</dt>
              <dd className="mono" dir="ltr">
                {ledger.network.rpcUrl}
              </dd>
            </div>
          </dl>
        )}
      </div>
    </section>
  );
}

function QueueCard({ status }: { status: AnchorStatus }) {
  const { t } = useI18n();
  const pending = pendingText(status);
  return (
    <section className="card" aria-labelledby="anchor-queue-title">
      <h2 id="anchor-queue-title">{t('anchor.queue')}</h2>
      <p className="anchor-pending" data-testid="anchor-pending" data-pending={status.pendingAnchors}>
        {t(pending.key, pending.vars)}
      </p>
      <dl className="queue-counts" data-testid="anchor-counts">
        {queueCounts(status).map(({ state, count }) => (
          <div
            key={state}
            className={count > 0 ? `queue-counts__item queue-counts__item--${state}` : 'queue-counts__item'}
          >
            <dt>{isQueueState(state) ? t(`anchor.state.${state}`) : state}</dt>
            <dd data-testid={`anchor-count-${state}`}>{count}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function LastAnchorCard({ status }: { status: AnchorStatus }) {
  const { t, locale } = useI18n();
  const last = status.lastAnchored;
  return (
    <section className="card" aria-labelledby="anchor-last-title">
      <h2 id="anchor-last-title">{t('anchor.last')}</h2>
      <div data-testid="anchor-last" data-anchored={last !== null}>
        {last === null ? (
          <p className="empty">{t('anchor.last.none')}</p>
        ) : (
          <dl className="facts">
            <div className="facts__item">
              <dt>{t('anchor.last.treeSize')}</dt>
              <dd data-testid="anchor-last-tree-size">{last.treeSize}</dd>
            </div>
            <div className="facts__item">
              <dt>{t('anchor.last.block')}</dt>
              <dd className="mono" data-testid="anchor-last-block">
                {last.blockNumber}
              </dd>
            </div>
            <div className="facts__item">
              <dt>{t('anchor.last.blockHash')}</dt>
              <dd>
                <HashValue
                  hash={last.blockHash}
                  short={shortHash(last.blockHash)}
                  label={t('anchor.last.blockHash')}
                  testId="anchor-last-block-hash"
                />
              </dd>
            </div>
            <div className="facts__item">
              <dt>{t('anchor.last.txHash')}</dt>
              <dd>
                <HashValue
                  hash={last.txHash}
                  short={shortHash(last.txHash)}
                  label={t('anchor.last.txHash')}
                  testId="anchor-last-tx-hash"
                />
              </dd>
            </div>
            <div className="facts__item">
              <dt>{t('anchor.last.at')}</dt>
              <dd>
                <time dateTime={last.at}>{formatDateTime(last.at, locale)}</time>
              </dd>
            </div>
          </dl>
        )}
      </div>
    </section>
  );
}
