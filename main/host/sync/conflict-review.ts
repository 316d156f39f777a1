// The conflict review queue as clinicians see it: list (a read of patient data,
// audited) and resolve (the chosen value written to the chart as a new change,
// then the queue row marked with who chose, why and when, with an audit record).
import { applyResolution, ResolveError, type ConflictRecord, type Resolution } from '../../../sync';
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
  status: 'open' | 'resolved';
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

export function readConflicts(
  db: Db,
  actorId: string | null,
  filter: { patientId?: string; status?: 'open' | 'resolved' | 'all' },
): ConflictView[] {
  return db.transaction(() => {
    const rows = listConflicts(db, filter);
    appendAudit(db, {
      actorId,
      action: 'conflicts.read',
      patientId: filter.patientId ?? null,
      detail: { conflicts: rows.length, status: filter.status ?? 'open' },
    });
    return rows.map(toConflictView);
  })();
}

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
  try {
    await ctx.charts.change(row.patient_id, actorId, { action: 'conflict.resolve.write', entityId: id }, (doc) =>
      applyResolution(doc, record, resolution),
    );
  } catch (e) {
    if (e instanceof ResolveError) throw new ApiError('CONFLICT', `The chart changed since: ${e.message}`);
    throw e;
  }
  ctx.db.transaction(() => {
    markResolved(ctx.db, id, actorId, new Date().toISOString(), resolution, reason.trim());
    appendAudit(ctx.db, {
      actorId,
      action: 'conflict.resolve',
      patientId: row.patient_id,
      entityId: id,
      detail: { kind: record.kind, choice: 'choose' in resolution ? resolution.choose : 'value' },
    });
  })();
  return toConflictView(getConflict(ctx.db, id)!);
}
