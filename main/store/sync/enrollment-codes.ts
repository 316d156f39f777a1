// The host's EnrollmentCodeStore (sync/identity/enrollment.ts): pending one-time
// codes. Only the scrypt-derived MAC key of a code is stored, never the code.
import type { EnrollmentCodeStore, PendingEnrollmentCode } from '../../../sync';
import { MAX_CODE_FAILURES } from '../../../sync';
import type { Db } from '../database';
import { stmt } from '../statements';

interface Row {
  id: string;
  clinic_id: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  code_key: Buffer;
  admin: number;
  approved_by: string | null;
  used_at: string | null;
  failures: number;
}

const fromRow = (r: Row): PendingEnrollmentCode => ({
  id: r.id,
  clinicId: r.clinic_id,
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  key: new Uint8Array(r.code_key),
  admin: r.admin === 1,
  approvedBy: r.approved_by,
  usedAt: r.used_at,
  failures: r.failures,
});

export function sqliteEnrollmentCodeStore(db: Db): EnrollmentCodeStore {
  return {
    save(c) {
      stmt(
        db,
        `INSERT INTO sync_enrollment_codes (id, clinic_id, created_by, created_at, expires_at, code_key, admin, approved_by, used_at, failures)
         VALUES (?,?,?,?,?,?,?,?,?,?)`,
      ).run(
        c.id,
        c.clinicId,
        c.createdBy,
        c.createdAt,
        c.expiresAt,
        Buffer.from(c.key),
        c.admin ? 1 : 0,
        c.approvedBy,
        c.usedAt,
        c.failures,
      );
    },
    active(clinicId, now) {
      return (
        stmt(
          db,
          `SELECT * FROM sync_enrollment_codes
           WHERE clinic_id = ? AND used_at IS NULL AND expires_at > ? AND failures < ?`,
        ).all(clinicId, now, MAX_CODE_FAILURES) as Row[]
      ).map(fromRow);
    },
    // Atomic: of two racing requests with the same code, exactly one sees changes === 1.
    consume(id, at) {
      return (
        stmt(db, 'UPDATE sync_enrollment_codes SET used_at = ? WHERE id = ? AND used_at IS NULL').run(at, id)
          .changes === 1
      );
    },
    recordFailure(ids) {
      for (const id of ids) stmt(db, 'UPDATE sync_enrollment_codes SET failures = failures + 1 WHERE id = ?').run(id);
    },
  };
}
