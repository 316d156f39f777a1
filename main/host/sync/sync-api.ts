// The sync methods of the API, over the clinic's SyncService (kept out of the
// handler map so that file stays one line per method).
import { BundleUploads } from './bundle-uploads';
import type { Output, ParsedInput, PatientChart, PatientSharing } from '../../api';
import { ApiError } from '../../api';
import type { UserRow } from '../../access/users';
import { applySharing } from '../../store/charts/chart-doc';
import { openConflictCount } from '../../store/sync/conflicts';
import type { Clinic } from '../clinic';
import { exportBundleFile, importBundleFile } from './bundle-exchange';
import { setDeviceRole } from './device-roles';

export function syncStatus(clinic: Clinic): Output<'sync.status'> {
  const s = clinic.sync.status();
  const roster = clinic.sync.roster;
  return {
    ...s,
    // Each peer's role and teams, as the roster says (the share policy reads the same).
    peers: s.peers.map((p) => {
      const d = roster?.devices.get(p.deviceId);
      return { ...p, role: d?.role ?? 'clinic', teamIds: d ? [...d.teamIds] : [] };
    }),
    conflicts: openConflictCount(clinic.db),
  };
}

/** peers.setRole: a signed roster operation of this device (device-roles.ts). */
export function setPeerRole(clinic: Clinic, user: UserRow, input: ParsedInput<'peers.setRole'>) {
  setDeviceRole({ db: clinic.db, sync: clinic.sync }, { id: user.id, role: user.role }, input);
  return syncStatus(clinic);
}

/**
 * patients.setSharing: the chart's field teams and the patient's choices, written into
 * the chart document (so they travel with it) and projected for the share policy; one
 * audit record (ids only). Takes effect for each peer at its next exchange.
 */
export function setPatientSharing(
  clinic: Clinic,
  actorId: string,
  patientId: string,
  sharing: PatientSharing,
): Promise<PatientChart> {
  const next: PatientSharing = { ...sharing, fieldTeamIds: [...new Set(sharing.fieldTeamIds)].sort() };
  return clinic.charts.change(patientId, actorId, { action: 'patient.sharing' }, (doc) => applySharing(doc, next));
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

const uploads = new WeakMap<Clinic, BundleUploads>();
const uploadsOf = (clinic: Clinic) => {
  let u = uploads.get(clinic);
  if (!u) uploads.set(clinic, (u = new BundleUploads()));
  return u;
};

/** One piece of a bundle sent from the browser (bundle-uploads.ts). */
export function uploadBundlePiece(
  clinic: Clinic,
  actorId: string,
  uploadId: string,
  index: number,
  dataBase64: string,
) {
  return { receivedBytes: uploadsOf(clinic).append(actorId, uploadId, index, Buffer.from(dataBase64, 'base64')) };
}

/** Imports a bundle sent whole (base64) or uploaded in pieces (uploadId). */
export async function importBundleFromApi(
  clinic: Clinic,
  actorId: string,
  input: { dataBase64?: string | undefined; uploadId?: string | undefined },
) {
  const file =
    input.uploadId !== undefined
      ? uploadsOf(clinic).take(actorId, input.uploadId)
      : new Uint8Array(Buffer.from(input.dataBase64 ?? '', 'base64'));
  return importBundleBytes(clinic, actorId, file);
}

async function importBundleBytes(clinic: Clinic, actorId: string, file: Uint8Array) {
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
