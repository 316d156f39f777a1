// The conflict review queue (sync/conflicts/queue.ts contract) in SQLite. A conflict
// seen again after another merge is refreshed while open and never reopened once
// resolved; resolving records who chose, why and when. A conflict another device
// resolved, or that a later edit replaced, is `settled` here when its change arrives
// (migration 0011).
import type { ConflictQueue, ConflictRecord, Resolution } from '../../../sync';
import type { Db } from '../database';
import { stmt } from '../statements';

export interface ConflictRow {
  id: string;
  document_id: string;
  patient_id: string | null;
  kind: ConflictRecord['kind'];
  path: string;
  record_json: string;
  detected_at: string;
  status: 'open' | 'resolved' | 'settled';
  resolved_by: string | null;
  resolved_at: string | null;
  reason: string | null;
  resolution_json: string | null;
}

export const conflictRecordOf = (r: ConflictRow): ConflictRecord => JSON.parse(r.record_json) as ConflictRecord;

export function sqliteConflictQueue(db: Db, patientOf: (documentId: string) => string | null): ConflictQueue {
  return {
    put(record, detectedAt) {
      const existing = getConflict(db, record.id);
      if (existing) {
        if (existing.status === 'open')
          stmt(db, 'UPDATE sync_conflicts SET record_json = ? WHERE id = ?').run(JSON.stringify(record), record.id);
        return false;
      }
      stmt(
        db,
        `INSERT INTO sync_conflicts (id, document_id, patient_id, kind, path, record_json, detected_at)
         VALUES (?,?,?,?,?,?,?)`,
      ).run(
        record.id,
        record.documentId,
        patientOf(record.documentId),
        record.kind,
        record.path.join('.'),
        JSON.stringify(record),
        detectedAt,
      );
      return true;
    },
    open(documentId) {
      const rows = (
        documentId === undefined
          ? stmt(db, "SELECT * FROM sync_conflicts WHERE status = 'open' ORDER BY detected_at").all()
          : stmt(db, "SELECT * FROM sync_conflicts WHERE status = 'open' AND document_id = ? ORDER BY detected_at").all(
              documentId,
            )
      ) as ConflictRow[];
      return rows.map(conflictRecordOf);
    },
    markResolved(id, resolvedBy, at, resolution) {
      markResolved(db, id, resolvedBy, at, resolution, '');
    },
  };
}

export function markResolved(
  db: Db,
  id: string,
  resolvedBy: string,
  at: string,
  resolution: Resolution,
  reason: string,
): void {
  const r = stmt(
    db,
    `UPDATE sync_conflicts SET status = 'resolved', resolved_by = ?, resolved_at = ?, reason = ?, resolution_json = ?
     WHERE id = ? AND status = 'open'`,
  ).run(resolvedBy, at, reason, JSON.stringify(resolution), id);
  if (r.changes !== 1) throw new Error(`conflict ${id} is not open`);
}

/** Why a conflict was settled here rather than resolved by a user of this device. */
export const SETTLED_ELSEWHERE = 'Resolved on another device.';
// Also when a third concurrent value joined them: that contest is queued as its own conflict.
export const SETTLED_REPLACED = 'No longer stands as recorded: a later change replaced these values or added another.';

/**
 * Settles the open conflicts of a chart that a change just taken in ended (in the
 * caller's transaction): those whose resolution it carries (`resolvedElsewhere`, by
 * id: a conflict has the same id on every device), and those detected from values
 * standing together in the document (Automerge's concurrent values, which have op
 * ids) that no longer stand (`standing`: the ids detected now; none of those is
 * settled, whatever a change message claims). Conflicts detected by
 * comparing the two sides of a merge cannot be seen again and stay open unless
 * resolved. Returns how many were settled.
 */
export function settleConflicts(
  db: Db,
  documentId: string,
  standing: ReadonlySet<string>,
  resolvedElsewhere: ReadonlySet<string>,
  at: string,
): number {
  const open = stmt(db, "SELECT * FROM sync_conflicts WHERE document_id = ? AND status = 'open'").all(
    documentId,
  ) as ConflictRow[];
  let settled = 0;
  for (const row of open) {
    // Never one the document still shows (a change that only claims to resolve it).
    if (standing.has(row.id)) continue;
    let reason: string | undefined;
    if (resolvedElsewhere.has(row.id)) reason = SETTLED_ELSEWHERE;
    else if (conflictRecordOf(row).values.every((v) => v.opId !== undefined)) reason = SETTLED_REPLACED;
    if (!reason) continue;
    stmt(
      db,
      "UPDATE sync_conflicts SET status = 'settled', resolved_at = ?, reason = ? WHERE id = ? AND status = 'open'",
    ).run(at, reason, row.id);
    settled++;
  }
  return settled;
}

export const getConflict = (db: Db, id: string): ConflictRow | undefined =>
  stmt(db, 'SELECT * FROM sync_conflicts WHERE id = ?').get(id) as ConflictRow | undefined;

export function listConflicts(
  db: Db,
  filter: { patientId?: string; status?: 'open' | 'resolved' | 'all' },
): ConflictRow[] {
  // 'resolved' lists every closed conflict: resolved here or settled.
  const status = filter.status ?? 'open';
  return stmt(
    db,
    `SELECT * FROM sync_conflicts WHERE (? = 'all' OR (status = 'open') = (? = 'open')) AND (? IS NULL OR patient_id = ?)
     ORDER BY detected_at DESC LIMIT 500`,
  ).all(status, status, filter.patientId ?? null, filter.patientId ?? null) as ConflictRow[];
}

export const openConflictCount = (db: Db): number =>
  (stmt(db, "SELECT count(*) AS n FROM sync_conflicts WHERE status = 'open'").get() as { n: number }).n;
