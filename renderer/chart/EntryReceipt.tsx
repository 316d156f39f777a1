// The receipt of one entry: asked of the host on demand, then saved as a JSON file
// anyone can verify offline (`sijill verify FILE`), or printed as a one-page summary.
import { useState } from 'react';
import { createPortal, flushSync } from 'react-dom';
import type { Entry } from '../../main/api';
import { HashValue } from '../anchor/CopyButton';
import { saveTextFile } from '../anchor/download';
import {
  anchoredText,
  receiptFileName,
  receiptFileText,
  receiptSummary,
  receiptUnavailableReason,
  verifyCommand,
  type ReceiptSummary,
} from '../anchor/receipt-model';
import { RecordKind } from '../anchor/RecordKind';
import { shortHash } from '../anchor/status-model';
import { useClient } from '../app/ClientContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatDateTime } from '../format/dates';
import { useI18n } from '../i18n/LanguageContext';

type ReceiptState =
  | { phase: 'idle' }
  | { phase: 'loading' }
  | { phase: 'ready'; receipt: Record<string, unknown>; fileName: string; summary: ReceiptSummary }
  | { phase: 'failed'; error: unknown };

export function EntryReceipt({ entry }: { entry: Entry }) {
  const client = useClient();
  const { t } = useI18n();
  const [state, setState] = useState<ReceiptState>({ phase: 'idle' });
  const [printing, setPrinting] = useState(false);
  const panelId = `receipt-${entry.id}`;

  async function load() {
    setState({ phase: 'loading' });
    try {
      const { receipt, fileName } = await client.call('anchor.receipt', { entryId: entry.id });
      setState({
        phase: 'ready',
        receipt,
        fileName: receiptFileName(fileName, entry.id),
        summary: receiptSummary(receipt),
      });
    } catch (error) {
      setState({ phase: 'failed', error });
    }
  }

  function print() {
    // The sheet must be in the document before the print dialog takes its picture.
    flushSync(() => setPrinting(true));
    window.addEventListener('afterprint', () => setPrinting(false), { once: true });
    window.print();
  }

  return (
    <>
      <button
        type="button"
        className="button button--small"
        data-testid="entry-receipt"
        aria-expanded={state.phase === 'ready'}
        aria-controls={state.phase === 'ready' ? panelId : undefined}
        disabled={state.phase === 'loading'}
        onClick={() => void load()}
      >
        {state.phase === 'loading' ? t('receipt.loading') : t('receipt.get')}
      </button>
      {state.phase === 'failed' && <ReceiptError error={state.error} />}
      {state.phase === 'ready' && (
        <section
          className="receipt-panel"
          id={panelId}
          data-testid="receipt-panel"
          aria-labelledby={`${panelId}-title`}
        >
          <h3 id={`${panelId}-title`}>{t('receipt.heading')}</h3>
          <ReceiptFacts summary={state.summary} full={false} />
          {state.summary.carriesRecord && <p className="field__hint">{t('receipt.confidential')}</p>}
          <div className="form-actions">
            <button
              type="button"
              className="button button--primary"
              data-testid="receipt-download"
              onClick={() => saveTextFile(document, state.fileName, receiptFileText(state.receipt))}
            >
              {t('receipt.download')}
            </button>
            <button type="button" className="button" data-testid="receipt-print" onClick={print}>
              {t('receipt.print')}
            </button>
            <button type="button" className="button button--small" onClick={() => setState({ phase: 'idle' })}>
              {t('receipt.close')}
            </button>
          </div>
          {printing && <PrintSheet summary={state.summary} fileName={state.fileName} />}
        </section>
      )}
    </>
  );
}

function ReceiptError({ error }: { error: unknown }) {
  const { t } = useI18n();
  const reason = receiptUnavailableReason(error);
  if (reason === null) return <ErrorAlert error={error} testId="receipt-error" />;
  return (
    <div className="alert alert--warning receipt-error" role="alert" data-testid="receipt-error">
      <strong className="alert__title">{t('receipt.unavailable')}</strong>
      <p className="alert__detail" dir="auto">
        {reason}
      </p>
    </div>
  );
}

/** What a receipt proves, on screen (hashes shortened) or on paper (in full). */
function ReceiptFacts({ summary, full }: { summary: ReceiptSummary; full: boolean }) {
  const { t } = useI18n();
  const unknown = t('receipt.unknown');
  const anchored = anchoredText(summary);
  const hash = (value: string | null, label: string) => {
    if (value === null) return unknown;
    if (full) {
      return (
        <code className="mono hash--full" dir="ltr">
          {value}
        </code>
      );
    }
    return <HashValue hash={value} short={shortHash(value)} label={label} />;
  };
  return (
    <dl className="facts receipt-facts" data-testid="receipt-summary" data-anchored={summary.anchor !== null}>
      <div className="facts__item">
        <dt>{t('receipt.record')}</dt>
        <dd>
          <RecordKind kind={summary.recordKind} />{' '}
          <span className="mono" dir="ltr">
            {summary.recordId ?? unknown}
          </span>
        </dd>
      </div>
      {full && summary.originDeviceId && (
        <div className="facts__item">
          <dt>{t('receipt.device')}</dt>
          <dd className="mono" dir="ltr">
            {summary.originDeviceId}
          </dd>
        </div>
      )}
      <div className="facts__item">
        <dt>{t('receipt.leafIndex')}</dt>
        <dd className="mono">{summary.leafIndex ?? unknown}</dd>
      </div>
      <div className="facts__item">
        <dt>{t('receipt.treeSize')}</dt>
        <dd className="mono">{summary.treeSize ?? unknown}</dd>
      </div>
      <div className="facts__item facts__item--wide">
        <dt>{t('receipt.anchored')}</dt>
        <dd data-testid="receipt-anchored">{t(anchored.key, anchored.vars)}</dd>
      </div>
      {summary.anchor && (
        <>
          <div className="facts__item">
            <dt>{t('anchor.ledger.chainId')}</dt>
            <dd className="mono">{summary.anchor.chainId ?? unknown}</dd>
          </div>
          <div className="facts__item">
            <dt>{t('anchor.ledger.contract')}</dt>
            <dd>{hash(summary.anchor.contract, t('anchor.ledger.contract'))}</dd>
          </div>
          <div className="facts__item">
            <dt>{t('anchor.last.block')}</dt>
            <dd className="mono">{summary.anchor.blockNumber ?? unknown}</dd>
          </div>
          {full && (
            <div className="facts__item">
              <dt>{t('anchor.last.blockHash')}</dt>
              <dd>{hash(summary.anchor.blockHash, t('anchor.last.blockHash'))}</dd>
            </div>
          )}
          <div className="facts__item">
            <dt>{t('anchor.last.txHash')}</dt>
            <dd>{hash(summary.anchor.txHash, t('anchor.last.txHash'))}</dd>
          </div>
          <div className="facts__item">
            <dt>{t('receipt.anchoredTreeSize')}</dt>
            <dd className="mono">{summary.anchor.treeSize ?? unknown}</dd>
          </div>
        </>
      )}
    </dl>
  );
}

/**
 * The printed page: outside the app's root, so the print style sheet can show it
 * alone (@media print hides #root while a sheet is in the document).
 */
function PrintSheet({ summary, fileName }: { summary: ReceiptSummary; fileName: string }) {
  const { t, tx, locale } = useI18n();
  return createPortal(
    <article className="print-sheet" data-testid="receipt-print-view">
      <h1>{t('receipt.print.title')}</h1>
      <ReceiptFacts summary={summary} full />
      <p>{tx('receipt.print.verifyHow', { file: <span className="mono">{fileName}</span> })}</p>
      <pre className="print-sheet__command" dir="ltr">
        {verifyCommand(fileName)}
      </pre>
      <p>{tx('receipt.print.verifyLedger', { option: <code className="mono">--ledger</code> })}</p>
      <p className="print-sheet__note">{t('receipt.print.noClinicalData')}</p>
      <p className="print-sheet__note">
        {t('receipt.print.printed', { time: formatDateTime(new Date().toISOString(), locale) })}
      </p>
    </article>,
    document.body,
  );
}
