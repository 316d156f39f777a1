// The conflict review queue as clinicians see it: list (a read of patient data:
// one audit record per call, naming the patients like a patient search does) and
// resolve (the chosen value written to the chart as a new change and stored, then
// ONE transaction that projects the chart, marks the queue row with who chose, why
// and when, and writes the audit record).
import { applyResolution, resolutionMessage, ResolveError, type ConflictRecord, type Resolution } from '../../../sync';
import { ApiError } from '../../api';
import { appendAudit } from '../../access/audit-log';
import type { ChartStore } from '../../store/charts/chart-store';
import type { Db } from '../../store/database';
import {
  conflictRecordOf,
  getConflict,
  listConflicts,
  markResolved,
  type ConflictRow,
} from '../../store/sync/conflicts';

export interface ConflictView {
  id: string;
  patientId: string | null;
  kind: ConflictRecord['kind'];
  path: string[];
  itemId: string | null;
  values: { value: unknown; side: 'ours' | 'theirs' | null }[];
  merged: unknown;
  detectedAt: string;
  status: 'open' | 'resolved' | 'settled';
  resolvedBy: string | null;
  resolvedAt: string | null;
  reason: string | null;
}

export function toConflictView(r: ConflictRow): ConflictView {
  const rec = conflictRecordOf(r);
  return {
    id: r.id,
    patientId: r.patient_id,
    kind: rec.kind,
    path: rec.path,
    itemId: rec.itemId ?? null,
    values: rec.values.map((v) => ({ value: v.value ?? null, side: v.side ?? null })),
    merged: rec.merged ?? null,
    detectedAt: r.detected_at,
    status: r.status,
    resolvedBy: r.resolved_by,
    resolvedAt: r.resolved_at,
    reason: r.reason,
  };
}

/** At most this many patient ids in a list's audit record (a patient search names up to 100 too). */
export const AUDITED_PATIENT_IDS = 100;

export function readConflicts(
  db: Db,
  actorId: string | null,
  filter: { patientId?: string; status?: 'open' | 'resolved' | 'all' },
): ConflictView[] {
  return db.transaction(() => {
    const rows = listConflicts(db, filter);
    // One record for the whole list, never one per conflict or chart: the count and
    // the patients whose conflicts were shown (ids only, bounded; the count says
    // how many there were when the ids are cut short).
    const patientIds = [...new Set(rows.flatMap((r) => (r.patient_id ? [r.patient_id] : [])))];
    appendAudit(db, {
      actorId,
      action: 'conflicts.read',
      patientId: filter.patientId ?? null,
      detail: {
        conflicts: rows.length,
        status: filter.status ?? 'open',
        patients: patientIds.length,
        ids: patientIds.slice(0, AUDITED_PATIENT_IDS),
      },
    });
    return rows.map(toConflictView);
  })();
}

/** Conflicts being resolved right now, per database: one resolution at a time per conflict. */
const resolving = new WeakMap<Db, Set<string>>();

/**
 * Resolves an open conflict. Two steps, in this order:
 *
 * 1. The chosen value is written to the chart document as a new Automerge change and
 *    flushed to storage. This cannot be inside the SQLite transaction: the Repo's
 *    storage writes are asynchronous and a better-sqlite3 transaction is synchronous.
 *    The chart is marked pending first (ChartStore's protocol, as in ChartStore.change):
 *    sync leaves a pending chart alone, and ChartStore.reconcile re-projects one that a
 *    crash left pending.
 * 2. ONE transaction: the chart's projection (which clears the pending mark), the
 *    queue row marked resolved (who, when, why, what) and the audit record. All of it
 *    commits or none of it does: never a resolved conflict without its audit record,
 *    nor an audited resolution still open.
 *
 * If step 2 fails (or the process dies before it), the document holds the chosen
 * value but nothing in SQLite says so: the conflict is still open, unaudited, and can
 * be resolved again, which writes the choice once more (the same value again, or
 * another one that supersedes it) and then commits step 2. Until then the chart stays
 * marked pending, so a restart re-projects it (ChartStore.reconcile, audited). The
 * other order would be worse: a conflict recorded as resolved whose value was never
 * written.
 */
export async function resolveConflictById(
  ctx: { db: Db; charts: ChartStore },
  actorId: string,
  id: string,
  resolution: Resolution,
  reason: string,
): Promise<ConflictView> {
  const row = getConflict(ctx.db, id);
  if (!row) throw new ApiError('NOT_FOUND', 'No conflict with that id.');
  if (row.status !== 'open') throw new ApiError('CONFLICT', 'This conflict was already resolved.');
  if (!row.patient_id) throw new ApiError('CONFLICT', 'This conflict belongs to no patient chart on this device.');
  if (!reason.trim()) throw new ApiError('VALIDATION', 'Give a reason for the choice.');
  const record = conflictRecordOf(row);
  if ('choose' in resolution && !record.values[resolution.choose])
    throw new ApiError('VALIDATION', `This conflict has no value number ${resolution.choose}.`);
  let busy = resolving.get(ctx.db);
  if (!busy) resolving.set(ctx.db, (busy = new Set()));
  if (busy.has(id)) throw new ApiError('CONFLICT', 'This conflict is already being resolved.');
  busy.add(id);
  try {
    await writeResolution(ctx, actorId, id, row.patient_id, record, resolution, reason.trim());
  } finally {
    busy.delete(id);
  }
  return toConflictView(getConflict(ctx.db, id)!);
}

async function writeResolution(
  { db, charts }: { db: Db; charts: ChartStore },
  actorId: string,
  conflictId: string,
  patientId: string,
  record: ConflictRecord,
  resolution: Resolution,
  reason: string,
): Promise<void> {
  // The document change is stored first; then the projection, the resolution and its
  // audit record commit together (changeThen).
  const resolvedAt = new Date().toISOString();
  try {
    await charts.changeThen(
      patientId,
      (doc) => applyResolution(doc, record, resolution),
      { message: resolutionMessage(conflictId) },
      () => {
        if (getConflict(db, conflictId)?.status !== 'open')
          throw new ApiError('CONFLICT', 'This conflict was already resolved.');
        markResolved(db, conflictId, actorId, resolvedAt, resolution, reason);
        appendAudit(db, {
          actorId,
          action: 'conflict.resolve',
          patientId,
          entityId: conflictId,
          detail: { kind: record.kind, choice: 'choose' in resolution ? resolution.choose : 'value' },
        });
      },
    );
  } catch (e) {
    if (e instanceof ResolveError) throw new ApiError('CONFLICT', `The chart changed since: ${e.message}`);
    throw e;
  }
}
