// The hash-chained audit log. Each record's hash covers its own fields and the
// previous record's hash, so changing, removing or reordering any record breaks
// the chain from that point on. Callers append inside the same transaction as the
// action they record, so an action never happens without its audit record.
import type { Db } from '../store/database';
import { canonicalJson } from '../store/crypto/canonical-json';
import { sha256 } from '../store/crypto/hash';
import type { AuditRecord, AuditVerification } from '../api';
import { stmt } from '../store/statements';
import { appendRecordLeaf, auditLeafId } from '../store/anchor-log/record-leaf';

const GENESIS = new Uint8Array(32);

export interface AuditEvent {
  actorId: string | null;
  action: string;
  patientId?: string | null;
  entityId?: string | null;
  /** Never patient data itself: ids, counts, outcomes. */
  detail?: Record<string, unknown>;
}

interface AuditRow {
  seq: number;
  at: string;
  actor_id: string | null;
  action: string;
  patient_id: string | null;
  entity_id: string | null;
  detail: string | null;
  prev_hash: Buffer;
  hash: Buffer;
}

function recordHash(prev: Uint8Array, r: Omit<AuditRow, 'prev_hash' | 'hash'>): Uint8Array {
  const body = canonicalJson({
    v: 1,
    seq: r.seq,
    at: r.at,
    actor: r.actor_id,
    action: r.action,
    patient: r.patient_id,
    entity: r.entity_id,
    detail: r.detail,
  });
  const bytes = new TextEncoder().encode(body);
  const buf = new Uint8Array(prev.length + bytes.length);
  buf.set(prev, 0);
  buf.set(bytes, prev.length);
  return sha256(buf);
}

export function appendAudit(db: Db, event: AuditEvent, at: Date = new Date()): number {
  if (!db.inTransaction) throw new Error('appendAudit must run inside the transaction of the action it records');
  const last = stmt(db, 'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as
    { seq: number; hash: Buffer } | undefined;
  const row = {
    seq: (last?.seq ?? 0) + 1,
    at: at.toISOString(),
    actor_id: event.actorId,
    action: event.action,
    patient_id: event.patientId ?? null,
    entity_id: event.entityId ?? null,
    detail: event.detail ? canonicalJson(event.detail) : null,
  };
  const prev = last ? new Uint8Array(last.hash) : GENESIS;
  const hash = recordHash(prev, row);
  const leaf = appendRecordLeaf(db, 'audit', auditLeafId(row.seq), hash);
  stmt(
    db,
    'INSERT INTO audit_log (seq, at, actor_id, action, patient_id, entity_id, detail, prev_hash, hash, leaf_index, leaf_salt) VALUES (?,?,?,?,?,?,?,?,?,?,?)',
  ).run(
    row.seq,
    row.at,
    row.actor_id,
    row.action,
    row.patient_id,
    row.entity_id,
    row.detail,
    prev,
    hash,
    leaf.leafIndex,
    leaf.salt,
  );
  return row.seq;
}

/** Walks the whole chain; reports the first record that does not match. */
export function verifyAuditChain(db: Db): AuditVerification {
  let prev: Uint8Array = GENESIS;
  let expectedSeq = 1;
  let count = 0;
  const rows = stmt(db, 'SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>;
  for (const row of rows) {
    count++;
    const broken = (reason: string): AuditVerification => ({
      ok: false,
      records: count,
      firstBrokenSeq: row.seq,
      reason,
    });
    if (row.seq !== expectedSeq) {
      // Report the missing record's number, not the survivor after it.
      return {
        ok: false,
        records: count,
        firstBrokenSeq: expectedSeq,
        reason: `record ${expectedSeq} is missing (next record is ${row.seq})`,
      };
    }
    if (!Buffer.from(prev).equals(row.prev_hash))
      return broken(`record ${row.seq} does not link to the record before it`);
    const hash = recordHash(prev, row);
    if (!Buffer.from(hash).equals(row.hash)) return broken(`record ${row.seq} was altered after it was written`);
    prev = hash;
    expectedSeq++;
  }
  return { ok: true, records: count, firstBrokenSeq: null, reason: null };
}

export function recentAudit(db: Db, limit: number): AuditRecord[] {
  const rows = stmt(
    db,
    'SELECT seq, at, actor_id, action, patient_id, entity_id FROM audit_log ORDER BY seq DESC LIMIT ?',
  ).all(limit) as AuditRow[];
  return rows.map((r) => ({
    seq: r.seq,
    at: r.at,
    actorId: r.actor_id,
    action: r.action,
    patientId: r.patient_id,
    entityId: r.entity_id,
  }));
}

export function auditCount(db: Db): number {
  return (stmt(db, 'SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;
}

/** The hash record `seq` should have, recomputed from its stored fields; null if it is gone. */
export function auditRecordHash(db: Db, seq: number): Uint8Array | null {
  const row = stmt<[number], AuditRow>(db, 'SELECT * FROM audit_log WHERE seq = ?').get(seq);
  return row ? recordHash(new Uint8Array(row.prev_hash), row) : null;
}
