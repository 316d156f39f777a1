// Import a USB bundle: pick the file, check its size before reading it, send it,
// and say what came in — or, for a tampered, replayed or foreign bundle, why it was
// refused (the host changes nothing then). The host's progress reaches the status
// bar through 'sync.status'; this card shows its own while the file is read and sent.
import { useRef, useState } from 'react';
import type { Output, SyncProgress } from '../../main/api';
import { useClient } from '../app/ClientContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { useI18n } from '../i18n/LanguageContext';
import type { Text } from '../i18n/translate';
import {
  bundlePieces,
  bundleRefusal,
  bundleRefusalText,
  bytesToBase64,
  checkBundleFileSize,
  MAX_WHOLE_BUNDLE_BYTES,
} from './bundle-file';
import { SyncProgressBar } from './SyncProgressBar';

type ImportResult = Output<'bundles.import'>;

type Stage =
  | { kind: 'idle' }
  | { kind: 'busy'; fileName: string }
  | { kind: 'done'; fileName: string; result: ImportResult }
  | { kind: 'problem'; fileName: string; problem: Text }
  | { kind: 'failed'; fileName: string; error: unknown };

export function BundleImportCard({ progress }: { progress: SyncProgress | null }) {
  const client = useClient();
  const { t, tx } = useI18n();
  const [stage, setStage] = useState<Stage>({ kind: 'idle' });
  const [upload, setUpload] = useState<{ done: number; total: number } | null>(null);
  const input = useRef<HTMLInputElement>(null);

  async function importFile(file: File | undefined) {
    if (!file) return;
    const problem = checkBundleFileSize(file.size);
    if (problem) {
      setStage({ kind: 'problem', fileName: file.name, problem });
      return;
    }
    setStage({ kind: 'busy', fileName: file.name });
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      let result: ImportResult;
      if (bytes.length <= MAX_WHOLE_BUNDLE_BYTES) {
        result = await client.call('bundles.import', { fileName: file.name, dataBase64: bytesToBase64(bytes) });
      } else {
        // Larger than one message: sent in pieces, with the upload's own progress.
        const uploadId = crypto.randomUUID();
        let index = 0;
        for (const dataBase64 of bundlePieces(bytes)) {
          const { receivedBytes } = await client.call('bundles.upload', { uploadId, index: index++, dataBase64 });
          setUpload({ done: receivedBytes, total: bytes.length });
        }
        setUpload(null);
        result = await client.call('bundles.import', { fileName: file.name, uploadId });
      }
      setStage({ kind: 'done', fileName: file.name, result });
    } catch (error) {
      setStage({ kind: 'failed', fileName: file.name, error });
    } finally {
      setUpload(null);
      // The same file may be picked again (after importing an earlier bundle first).
      if (input.current) input.current.value = '';
    }
  }

  const refusal = stage.kind === 'failed' ? bundleRefusal(stage.error) : null;
  return (
    <section className="card" aria-labelledby="bundle-import-title" data-testid="bundle-import-card">
      <h2 id="bundle-import-title">{t('bundle.import.title')}</h2>
      <p className="field__hint">{t('bundle.import.intro')}</p>
      <div className="field">
        <label className="field__label" htmlFor="bundle-file">
          {t('bundle.import.file')}
        </label>
        <input
          ref={input}
          id="bundle-file"
          type="file"
          accept=".sijillbundle,application/octet-stream"
          data-testid="bundle-file"
          disabled={stage.kind === 'busy'}
          onChange={(ev) => void importFile(ev.target.files?.[0])}
        />
      </div>
      {stage.kind === 'busy' && (
        <div data-testid="bundle-import-busy" aria-live="polite">
          <p>{tx('bundle.import.busy', { file: stage.fileName })}</p>
          <SyncProgressBar
            progress={
              upload
                ? { phase: 'bundle-import', done: upload.done, total: upload.total }
                : (progress ?? { phase: 'bundle-import', done: 0, total: 0 })
            }
            testId="bundle-import-progress"
          />
        </div>
      )}
      {stage.kind === 'done' && (
        <div className="alert alert--success" role="status" data-testid="bundle-import-result">
          <strong className="alert__title">
            {tx('bundle.import.done', { file: stage.fileName, device: stage.result.fromDeviceName })}
          </strong>
          <p className="alert__detail">
            {t('bundle.import.counts', {
              documents: stage.result.documents,
              fresh: stage.result.newDocuments,
              conflicts: stage.result.conflicts,
            })}
          </p>
          {stage.result.conflicts > 0 && (
            <a href="#/conflicts" data-testid="bundle-import-conflicts">
              {t('bundle.import.reviewConflicts')}
            </a>
          )}
        </div>
      )}
      {stage.kind === 'problem' && (
        <div className="alert alert--error" role="alert" data-testid="bundle-import-error" data-refusal="file">
          <strong className="alert__title">{t(stage.problem.key, stage.problem.vars)}</strong>
        </div>
      )}
      {stage.kind === 'failed' && refusal && (
        <div className="alert alert--error" role="alert" data-testid="bundle-import-error" data-refusal={refusal}>
          <strong className="alert__title">{t(bundleRefusalText(refusal).key)}</strong>
          <p className="alert__detail" dir="auto">
            {(stage.error as Error).message}
          </p>
          <p className="alert__detail">{t('bundle.refused.nothingChanged')}</p>
        </div>
      )}
      {stage.kind === 'failed' && !refusal && <ErrorAlert error={stage.error} testId="bundle-import-error" />}
    </section>
  );
}
