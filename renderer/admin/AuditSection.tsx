// The audit chain: verify it end to end, and read the latest records.
import { useState } from 'react';
import type { AuditRecord, AuditVerification } from '../../main/api';
import { useClient } from '../app/ClientContext';
import { routeHash } from '../app/routes';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatDateTime } from '../format/dates';
import { useHostData } from '../hooks/useHostData';
import { useI18n } from '../i18n/LanguageContext';

const RECENT_LIMIT = 50;

export function AuditSection({ userNames, canVerify }: { userNames: ReadonlyMap<string, string>; canVerify: boolean }) {
  const { t } = useI18n();
  const recent = useHostData('audit.recent', { limit: RECENT_LIMIT });
  return (
    <section className="card" aria-labelledby="audit-title" data-testid="admin-audit">
      <h2 id="audit-title">{t('admin.audit')}</h2>
      {canVerify && <AuditVerifier onVerified={recent.reload} />}
      <div className="section-header">
        <h3>{t('audit.recent')}</h3>
        <button type="button" className="button button--small" onClick={recent.reload}>
          {t('app.refresh')}
        </button>
      </div>
      <ErrorAlert error={recent.failure} />
      {recent.data && recent.data.records.length === 0 && <p className="empty">{t('audit.none')}</p>}
      {recent.data && recent.data.records.length > 0 && (
        <AuditTable records={recent.data.records} userNames={userNames} />
      )}
    </section>
  );
}

function AuditVerifier({ onVerified }: { onVerified: () => void }) {
  const client = useClient();
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<AuditVerification | null>(null);
  const [failure, setFailure] = useState<unknown>(null);

  async function verify() {
    setBusy(true);
    setFailure(null);
    try {
      setResult(await client.call('audit.verify', {}));
      onVerified();
    } catch (error) {
      setResult(null);
      setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="audit-verifier">
      <button
        type="button"
        className="button button--primary"
        data-testid="audit-verify"
        onClick={() => void verify()}
        disabled={busy}
      >
        {busy ? t('audit.verifying') : t('audit.verify')}
      </button>
      <ErrorAlert error={failure} />
      {result && <VerificationResult result={result} />}
    </div>
  );
}

function VerificationResult({ result }: { result: AuditVerification }) {
  const { t, tx } = useI18n();
  if (result.ok) {
    return (
      <p className="alert alert--success" role="status" data-testid="audit-result" data-ok="true">
        {t('audit.ok', { n: result.records })}
      </p>
    );
  }
  const text =
    result.firstBrokenSeq !== null
      ? tx('audit.broken', { seq: result.firstBrokenSeq, reason: result.reason ?? '' })
      : `${t('audit.brokenNoDetail')} ${result.reason ?? ''}`;
  return (
    <p className="alert alert--error" role="alert" data-testid="audit-result" data-ok="false">
      {text}
    </p>
  );
}

function AuditTable({
  records,
  userNames,
}: {
  records: readonly AuditRecord[];
  userNames: ReadonlyMap<string, string>;
}) {
  const { t, locale } = useI18n();
  return (
    <div className="table-scroll">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t('audit.col.seq')}</th>
            <th scope="col">{t('audit.col.at')}</th>
            <th scope="col">{t('audit.col.actor')}</th>
            <th scope="col">{t('audit.col.action')}</th>
            <th scope="col">{t('audit.col.patient')}</th>
            <th scope="col">{t('audit.col.entity')}</th>
          </tr>
        </thead>
        <tbody>
          {records.map((r) => (
            <tr key={r.seq} data-testid="audit-row">
              <td className="mono">{r.seq}</td>
              <td>{formatDateTime(r.at, locale)}</td>
              <td dir="auto">{r.actorId === null ? t('audit.system') : (userNames.get(r.actorId) ?? r.actorId)}</td>
              <td className="mono" dir="ltr">
                {r.action}
              </td>
              <td className="mono">
                {r.patientId ? <a href={routeHash({ screen: 'chart', patientId: r.patientId })}>{r.patientId}</a> : ''}
              </td>
              <td className="mono">{r.entityId ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
