// The conflict review queue (sync/conflicts/queue.ts contract) in SQLite. A conflict
// seen again after another merge is refreshed while open and never reopened once
// resolved; resolving records who chose, why and when.
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
  status: 'open' | 'resolved';
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

export const getConflict = (db: Db, id: string): ConflictRow | undefined =>
  stmt(db, 'SELECT * FROM sync_conflicts WHERE id = ?').get(id) as ConflictRow | undefined;

export function listConflicts(
  db: Db,
  filter: { patientId?: string; status?: 'open' | 'resolved' | 'all' },
): ConflictRow[] {
  const status = filter.status ?? 'open';
  return stmt(
    db,
    `SELECT * FROM sync_conflicts WHERE (? = 'all' OR status = ?) AND (? IS NULL OR patient_id = ?)
     ORDER BY detected_at DESC LIMIT 500`,
  ).all(status, status, filter.patientId ?? null, filter.patientId ?? null) as ConflictRow[];
}

export const openConflictCount = (db: Db): number =>
  (stmt(db, "SELECT count(*) AS n FROM sync_conflicts WHERE status = 'open'").get() as { n: number }).n;
