// USB bundles as the host makes and reads them (the format and every check are in
// sync/bundles). Export: the charts whose heads the receiving device has not
// acknowledged, plus the roster and catalog, signed by this device and sealed to the
// clinic. Import: openBundle() checks everything and computes the result without
// changing anything; only then are the documents applied, projected, their entries
// stored and conflicts queued, and the bundle id recorded against replay.
import * as A from '@automerge/automerge';
import type { DocumentId } from '@automerge/automerge-repo';
import { BundleError, exportBundle, openBundle, type BundleDocInput } from '../../../sync';
import { ApiError } from '../../api';
import { appendAudit } from '../../access/audit-log';
import type { ChartStore } from '../../store/charts/chart-store';
import type { Db } from '../../store/database';
import { bundleSeen, nextBundleSequence, recordBundleImport } from '../../store/sync/bundles';
import { clinicSecretKey } from '../../store/sync/clinic-membership';
import { changedSince, peerDocHeads } from '../../store/sync/peers';
import { stmt } from '../../store/statements';
import { loadStoredDoc } from './doc-loading';
import type { SyncProgress, SyncService } from './sync-service';

export interface BundleContext {
  db: Db;
  dataKey: Uint8Array;
  charts: ChartStore;
  sync: SyncService;
}

function requireClinic(ctx: BundleContext) {
  const m = ctx.sync.membership;
  const roster = ctx.sync.roster;
  if (!m || !roster)
    throw new ApiError('CONFLICT', 'This device is not enrolled in a clinic: bundles need an enrolled device.');
  return { m, roster };
}

export async function exportBundleFile(
  ctx: BundleContext,
  actorId: string | null,
  sincePeer: string,
  onProgress?: (p: SyncProgress) => void,
): Promise<{ file: Uint8Array; documents: number; bytes: number }> {
  const { m, roster } = requireClinic(ctx);
  const peer = roster.devices.get(sincePeer);
  if (!peer) throw new ApiError('NOT_FOUND', `Device ${sincePeer} is not on this clinic's roster.`);
  if (peer.revokedAt) throw new ApiError('VALIDATION', `Device ${sincePeer} was revoked: it receives nothing more.`);
  await ctx.sync.publish();
  await ctx.charts.repo.flush();
  // Only the charts the share policy lets that device hold (its field team, consent), as on the LAN.
  const charts = changedSince(ctx.db, sincePeer).filter((id) => ctx.sync.mayShareWith(sincePeer, id));
  const ids = [m.rosterDocId, m.catalogDocId, ...charts];
  // Read from storage, not through the Repo: nothing stays cached after the export.
  const docs: BundleDocInput[] = [];
  for (const [i, documentId] of ids.entries()) {
    const doc = loadStoredDoc(ctx.db, documentId);
    if (doc) docs.push({ documentId, doc, receiverHeads: peerDocHeads(ctx.db, sincePeer, documentId) });
    if (onProgress && (i % 100 === 0 || i === ids.length - 1))
      onProgress({ phase: 'sending', done: i + 1, total: ids.length });
  }
  return ctx.db.transaction(() => {
    const sequence = nextBundleSequence(ctx.db);
    const { file, manifest } = exportBundle({
      identity: ctx.sync.identity,
      to: { clinicId: m.anchor.clinicId, clinicKey: roster.clinicKey },
      docs,
      sequence,
      created: new Date(),
    });
    appendAudit(ctx.db, {
      actorId,
      action: 'bundle.export',
      entityId: manifest.bundleId,
      detail: { to: sincePeer, documents: manifest.docs.length, bytes: manifest.bytes, sequence },
    });
    return { file, documents: manifest.docs.length, bytes: manifest.bytes };
  })();
}

export interface BundleImportResult {
  bundleId: string;
  fromDevice: string;
  fromDeviceName: string;
  documents: number;
  newDocuments: number;
  conflicts: number;
}

/** Imports a bundle; any refusal throws ApiError('VALIDATION') with the bundle's own message, and changes nothing. */
export async function importBundleFile(
  ctx: BundleContext,
  actorId: string | null,
  file: Uint8Array,
  onProgress?: (p: SyncProgress) => void,
): Promise<BundleImportResult> {
  const { m, roster } = requireClinic(ctx);
  await ctx.charts.repo.flush();
  let plan;
  try {
    plan = openBundle(file, {
      clinicId: m.anchor.clinicId,
      clinicSecretKey: clinicSecretKey(ctx.db, ctx.dataKey),
      roster,
      seen: (b) => bundleSeen(ctx.db, b),
      // Entries travel inside the chart documents and are verified one by one when
      // the chart is taken in (entry-exchange.ts); this host writes none in the list.
      verifyEntry: () => 'entries are not accepted outside their chart document',
      existingEntryHash: () => undefined,
      loadDoc: (id) => loadStoredDoc(ctx.db, id),
    });
  } catch (e) {
    if (e instanceof BundleError) {
      ctx.db.transaction(() =>
        appendAudit(ctx.db, { actorId, action: 'bundle.refused', detail: { reason: e.code } }),
      )();
      throw new ApiError('VALIDATION', e.message);
    }
    throw e;
  }
  let done = 0;
  const conflictsBefore = openCount(ctx.db);
  for (const d of plan.docs) {
    if (d.isNew) {
      ctx.charts.repo.import(A.save(d.doc), { docId: d.documentId as DocumentId });
      ctx.charts.loaded.noteLoaded(d.documentId);
    } else {
      // Apply the changes rather than replace the document: a local edit made since
      // the plan was computed is kept.
      await ctx.charts.loaded.use(d.documentId, (handle) =>
        handle.update((doc) => A.applyChanges(doc as A.Doc<unknown>, d.changes)[0] as typeof doc),
      );
    }
    onProgress?.({ phase: 'bundle-import', done: ++done, total: plan.docs.length });
  }
  await ctx.charts.repo.flush();
  // Take each document in now (projection, entries, conflicts) rather than on the change timers.
  for (const d of plan.docs) await ctx.sync.takeIn(d.documentId);
  const conflicts = openCount(ctx.db) - conflictsBefore;
  ctx.db.transaction(() => {
    recordBundleImport(
      ctx.db,
      {
        bundleId: plan.bundleId,
        fromDevice: plan.fromDevice,
        sequence: plan.sequence,
        docs: plan.docs.length,
        entries: 0,
      },
      new Date().toISOString(),
    );
    appendAudit(ctx.db, {
      actorId,
      action: 'bundle.import',
      entityId: plan.bundleId,
      detail: { from: plan.fromDevice, documents: plan.docs.length, conflicts },
    });
  })();
  return {
    bundleId: plan.bundleId,
    fromDevice: plan.fromDevice,
    fromDeviceName: plan.fromDeviceName,
    documents: plan.docs.length,
    newDocuments: plan.docs.filter((d) => d.isNew).length,
    conflicts,
  };
}

const openCount = (db: Db) =>
  (stmt(db, "SELECT count(*) AS n FROM sync_conflicts WHERE status = 'open'").get() as { n: number }).n;
