// The sync methods of the API, over the clinic's SyncService (kept out of the
// handler map so that file stays one line per method).
import type { Output } from '../../api';
import { ApiError } from '../../api';
import { openConflictCount } from '../../store/sync/conflicts';
import type { Clinic } from '../clinic';
import { exportBundleFile, importBundleFile } from './bundle-exchange';

export function syncStatus(clinic: Clinic): Output<'sync.status'> {
  return { ...clinic.sync.status(), conflicts: openConflictCount(clinic.db) };
}

export async function setListening(clinic: Clinic, actorId: string, enabled: boolean, port?: number) {
  if (enabled) {
    try {
      await clinic.sync.listen({ port: port ?? 8471, actorId });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE')
        throw new ApiError('CONFLICT', `Port ${port ?? 8471} is already in use: choose another.`);
      throw e;
    }
  } else await clinic.sync.stopListening();
  return syncStatus(clinic);
}

const ctxOf = (clinic: Clinic) => ({
  db: clinic.db,
  dataKey: clinic.store.dataKey,
  charts: clinic.charts,
  sync: clinic.sync,
});

export async function importBundleBase64(clinic: Clinic, actorId: string, dataBase64: string) {
  const file = new Uint8Array(Buffer.from(dataBase64, 'base64'));
  const onProgress = (p: Parameters<typeof clinic.sync.setProgress>[0]) => clinic.sync.setProgress(p);
  try {
    return await importBundleFile(ctxOf(clinic), actorId, file, onProgress);
  } finally {
    clinic.sync.setProgress(null);
  }
}

export async function exportBundleBase64(clinic: Clinic, actorId: string, sincePeer: string) {
  const r = await exportBundleFile(ctxOf(clinic), actorId, sincePeer);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return {
    fileName: `sijill-bundle-${sincePeer.slice(0, 8)}-${stamp}.sijillbundle`,
    dataBase64: Buffer.from(r.file).toString('base64'),
    documents: r.documents,
    bytes: r.bytes,
  };
}

export { ctxOf as bundleContextOf };
