// "Export a bundle for this device": the changes it lacks, signed by this device
// and encrypted to the clinic, saved as a file to carry on a USB stick.
import { useState } from 'react';
import { useClient } from '../app/ClientContext';
import { saveBlobFile } from '../anchor/download';
import { ErrorAlert } from '../components/ErrorAlert';
import { useI18n } from '../i18n/LanguageContext';
import { base64ToBytes } from './bundle-file';

export function ExportBundleButton({ deviceId }: { deviceId: string }) {
  const client = useClient();
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [saved, setSaved] = useState<{ fileName: string; documents: number } | null>(null);

  async function exportBundle() {
    setBusy(true);
    setFailure(null);
    setSaved(null);
    try {
      const r = await client.call('bundles.export', { sincePeer: deviceId });
      const bytes = base64ToBytes(r.dataBase64);
      saveBlobFile(document, r.fileName, new Blob([bytes], { type: 'application/octet-stream' }));
      setSaved({ fileName: r.fileName, documents: r.documents });
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button
        type="button"
        className="button button--small"
        data-testid="peer-export"
        disabled={busy}
        onClick={() => void exportBundle()}
      >
        {busy ? t('bundle.export.busy') : t('bundle.export')}
      </button>
      {saved && (
        <p className="alert alert--success" role="status" data-testid="peer-export-done">
          {t('bundle.export.done', { file: saved.fileName, n: saved.documents })}
        </p>
      )}
      <ErrorAlert error={failure} />
    </>
  );
}
