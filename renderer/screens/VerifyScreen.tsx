// Verify a receipt file: read it here, let the host run every check (offline: no
// ledger is asked), and show each check and the verdict. Open to every role.
import { useRef, useState } from 'react';
import type { ReceiptVerification } from '../../main/api';
import type { Text } from '../anchor/status-model';
import {
  checkReceiptFileSize,
  parseReceiptText,
  verificationView,
  type VerificationView,
} from '../anchor/verify-model';
import { RecordKind } from '../anchor/RecordKind';
import { useClient } from '../app/ClientContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { useI18n } from '../i18n/LanguageContext';

/** The command that also looks the anchor up on the ledger (the CLI's own syntax). */
const LEDGER_COMMAND = 'sijill verify FILE --ledger RPC_URL';

interface FileProblem {
  problem: Text;
  detail?: string;
}

export function VerifyScreen() {
  const client = useClient();
  const { t, tx } = useI18n();
  const [fileName, setFileName] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<FileProblem | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [result, setResult] = useState<ReceiptVerification | null>(null);
  const latest = useRef(0);

  async function check(file: File | undefined) {
    const attempt = ++latest.current;
    const current = () => attempt === latest.current;
    setProblem(null);
    setFailure(null);
    setResult(null);
    setFileName(file?.name ?? null);
    if (!file) return;
    const tooBig = checkReceiptFileSize(file.size);
    if (tooBig && !tooBig.ok) {
      setProblem(tooBig);
      return;
    }
    setBusy(true);
    try {
      const parsed = parseReceiptText(await file.text());
      if (!current()) return;
      if (!parsed.ok) {
        setProblem(parsed);
        return;
      }
      const verification = await client.call('anchor.verifyReceipt', { receipt: parsed.receipt });
      if (current()) setResult(verification);
    } catch (error) {
      if (current()) setFailure(error);
    } finally {
      if (current()) setBusy(false);
    }
  }

  return (
    <section className="screen" aria-labelledby="verify-title">
      <h1 id="verify-title">{t('verify.title')}</h1>
      <div className="card card--narrow verify-form">
        <p>{t('verify.intro')}</p>
        <div className="field">
          <label className="field__label" htmlFor="verify-file">
            {t('verify.file')}
          </label>
          <input
            id="verify-file"
            type="file"
            accept=".json,application/json"
            data-testid="verify-file"
            aria-describedby="verify-note"
            onChange={(ev) => void check(ev.target.files?.[0])}
          />
          <p className="field__hint" id="verify-note">
            {tx('verify.offlineNote', { command: <code className="mono">{LEDGER_COMMAND}</code> })}
          </p>
        </div>
        {fileName && (
          <p className="verify-file-name" data-testid="verify-file-name">
            {tx('verify.fileName', { name: fileName })}
          </p>
        )}
        {busy && (
          <p className="loading" role="status">
            {t('verify.checking')}
          </p>
        )}
        {problem && (
          <div className="alert alert--error" role="alert" data-testid="verify-error">
            <strong className="alert__title">{t(problem.problem.key, problem.problem.vars)}</strong>
            {problem.detail && (
              <p className="alert__detail" dir="ltr" lang="en">
                {problem.detail}
              </p>
            )}
          </div>
        )}
        <ErrorAlert error={failure} testId="verify-error" />
      </div>
      {result && <VerificationResult view={verificationView(result)} />}
    </section>
  );
}

function VerificationResult({ view }: { view: VerificationView }) {
  const { t } = useI18n();
  return (
    <section
      className="card verify-result"
      data-testid="verify-result"
      data-ok={view.ok}
      aria-labelledby="verify-verdict"
    >
      <p
        id="verify-verdict"
        className={view.ok ? 'verdict verdict--ok' : 'verdict verdict--bad'}
        data-testid="verify-verdict"
        data-ok={view.ok}
        role={view.ok ? 'status' : 'alert'}
      >
        {t(view.verdict.key)}
      </p>
      <p className="verdict__tally">{t(view.tally.key, view.tally.vars)}</p>
      <h2>{t('verify.checks')}</h2>
      <ul className="checks">
        {view.checks.map((c, i) => (
          <li
            key={`${i}-${c.name}`}
            className={c.ok ? 'check check--ok' : 'check check--bad'}
            data-testid="verify-check"
            data-ok={c.ok}
            data-name={c.name}
          >
            <span className="check__mark" aria-hidden="true">
              {c.ok ? '✓' : '✗'}
            </span>
            <span className="check__name">{c.label ? t(c.label) : c.name}</span>
            <span className="check__result">{c.ok ? t('verify.pass') : t('verify.fail')}</span>
            <span className="check__detail" dir="ltr" lang="en">
              {c.detail}
            </span>
          </li>
        ))}
      </ul>
      {view.summary && (
        <>
          <h2>{t('verify.summary')}</h2>
          <dl className="facts" data-testid="verify-summary">
            <div className="facts__item">
              <dt>{t('receipt.record')}</dt>
              <dd>
                <RecordKind kind={view.summary.recordKind} />{' '}
                <span className="mono" dir="ltr">
                  {view.summary.recordId}
                </span>
              </dd>
            </div>
            <div className="facts__item">
              <dt>{t('receipt.leafIndex')}</dt>
              <dd className="mono">{view.summary.leafIndex}</dd>
            </div>
            <div className="facts__item">
              <dt>{t('receipt.treeSize')}</dt>
              <dd className="mono">{view.summary.treeSize}</dd>
            </div>
          </dl>
          <p data-testid="verify-anchored">{t(view.summary.anchored.key, view.summary.anchored.vars)}</p>
        </>
      )}
    </section>
  );
}
