// The hash-chained audit log: append only inside a transaction, a chain that
// verifies, and detection of one changed byte, a removed record or a changed hash.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  appendAudit,
  auditCount,
  recentAudit,
  verifyAuditChain,
  type AuditEvent,
} from '../../../main/access/audit-log';
import type { Db } from '../../../main/store/database';
import { openTestDb } from '../../helpers/store';

const N = 60;

/** A database holding N audit records of varied shape, with the append-only triggers dropped. */
function chain(): Db {
  const { db } = openTestDb();
  const t0 = Date.parse('2024-01-01T00:00:00.000Z');
  db.transaction(() => {
    for (let i = 1; i <= N; i++) {
      const event: AuditEvent = {
        actorId: i % 7 === 0 ? null : `user-${i % 3}`,
        action: i % 2 ? 'patient.read' : 'entry.create',
        patientId: i % 5 === 0 ? null : `patient-${i}`,
        entityId: `entity-${i}`,
        detail: i % 4 === 0 ? undefined : { n: i, ids: [`a${i}`, `b${i}`] },
      };
      appendAudit(db, event, new Date(t0 + i * 1000));
    }
  })();
  expect(verifyAuditChain(db)).toEqual({ ok: true, records: N, firstBrokenSeq: null, reason: null });
  db.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;');
  return db;
}

interface Row {
  seq: number;
  at: string;
  action: string;
  detail: string | null;
  hash: Buffer;
  prev_hash: Buffer;
}
const row = (db: Db, seq: number) => db.prepare('SELECT * FROM audit_log WHERE seq = ?').get(seq) as Row;

/** Changes exactly one character of a text value. */
const oneCharOff = (s: string, index = 0): string =>
  s.slice(0, index) + (s[index] === 'x' ? 'y' : 'x') + s.slice(index + 1);

describe('appendAudit', () => {
  it('throws outside a transaction and writes nothing', () => {
    const { db } = openTestDb();
    expect(() => appendAudit(db, { actorId: 'u', action: 'patient.read' })).toThrow(/inside the transaction/);
    expect(auditCount(db)).toBe(0);
  });

  it('numbers records from 1, links each to the previous hash, starting from 32 zero bytes', () => {
    const { db } = openTestDb();
    const seqs = db.transaction(() => [
      appendAudit(db, { actorId: 'u1', action: 'auth.login' }),
      appendAudit(db, {
        actorId: 'u1',
        action: 'patient.read',
        patientId: 'p1',
        entityId: 'p1',
        detail: { z: 1, a: 'ب' },
      }),
    ])();
    expect(seqs).toEqual([1, 2]);
    const [r1, r2] = [row(db, 1), row(db, 2)];
    expect(r1.prev_hash.equals(Buffer.alloc(32))).toBe(true);
    expect(r2.prev_hash.equals(r1.hash)).toBe(true);
    expect(r1.hash.length).toBe(32);
    // detail is stored as canonical JSON
    expect(r2.detail).toBe('{"a":"ب","z":1}');
    // The hash is SHA-256 over prev_hash ‖ canonical JSON of the record (format v1), recomputable by anyone.
    const body = JSON.stringify({
      action: 'auth.login',
      actor: 'u1',
      at: r1.at,
      detail: null,
      entity: null,
      patient: null,
      seq: 1,
      v: 1,
    });
    const expected = createHash('sha256').update(Buffer.alloc(32)).update(body).digest();
    expect(r1.hash.equals(expected)).toBe(true);
  });

  it('a rolled-back action leaves no audit record behind', () => {
    const { db } = openTestDb();
    expect(() =>
      db.transaction(() => {
        appendAudit(db, { actorId: 'u', action: 'patient.register' });
        throw new Error('registration failed');
      })(),
    ).toThrow('registration failed');
    expect(auditCount(db)).toBe(0);
    expect(verifyAuditChain(db)).toEqual({ ok: true, records: 0, firstBrokenSeq: null, reason: null });
  });

  it('recentAudit lists the newest first, within the limit', () => {
    const db = chain();
    const recent = recentAudit(db, 3);
    expect(recent.map((r) => r.seq)).toEqual([N, N - 1, N - 2]);
    expect(recent[0]).toEqual({
      seq: N,
      at: row(db, N).at,
      actorId: 'user-0',
      action: 'entry.create',
      patientId: null,
      entityId: `entity-${N}`,
    });
    expect(auditCount(db)).toBe(N);
  });
});

describe('verifyAuditChain', () => {
  it('verifies a long chain', () => {
    const db = chain();
    db.transaction(() => {
      for (let i = 0; i < 500; i++)
        appendAudit(db, { actorId: 'bulk', action: 'patient.search', detail: { results: i } });
    })();
    expect(verifyAuditChain(db)).toEqual({ ok: true, records: N + 500, firstBrokenSeq: null, reason: null });
  });

  for (const k of [1, 17, N]) {
    it(`one changed character in the action, detail or time of record ${k} → ok=false at seq ${k}`, () => {
      for (const column of ['action', 'detail', 'at'] as const) {
        const db = chain();
        const original = row(db, k)[column] ?? 'null-detail';
        db.prepare(`UPDATE audit_log SET ${column} = ? WHERE seq = ?`).run(oneCharOff(original, 3), k);
        const result = verifyAuditChain(db);
        expect(result.ok, column).toBe(false);
        expect(result.firstBrokenSeq, column).toBe(k);
        expect(result.records).toBe(k);
        expect(result.reason).toMatch(new RegExp(`record ${k} was altered`));
      }
    });
  }

  it('a changed actor, patient or entity id → detected at that record', () => {
    for (const column of ['actor_id', 'patient_id', 'entity_id']) {
      const db = chain();
      db.prepare(`UPDATE audit_log SET ${column} = 'someone-else' WHERE seq = 23`).run();
      expect(verifyAuditChain(db), column).toMatchObject({ ok: false, firstBrokenSeq: 23 });
    }
  });

  it('one flipped bit of a stored hash → detected at that record', () => {
    const db = chain();
    const hash = Buffer.from(row(db, 30).hash);
    hash[31] = hash[31]! ^ 0x01;
    db.prepare('UPDATE audit_log SET hash = ? WHERE seq = 30').run(hash);
    expect(verifyAuditChain(db)).toMatchObject({
      ok: false,
      firstBrokenSeq: 30,
      reason: expect.stringMatching(/record 30 was altered/),
    });
  });

  it('a changed prev_hash → detected at that record (it no longer links)', () => {
    const db = chain();
    db.prepare('UPDATE audit_log SET prev_hash = ? WHERE seq = 12').run(Buffer.alloc(32, 1));
    expect(verifyAuditChain(db)).toMatchObject({
      ok: false,
      firstBrokenSeq: 12,
      reason: expect.stringMatching(/does not link/),
    });
  });

  it('a record rewritten with a recomputed hash → the next record no longer links', () => {
    const db = chain();
    const r = row(db, 40);
    // Forge record 40 completely (valid hash over the forged content): record 41 still points at the old hash.
    db.prepare(`UPDATE audit_log SET action = 'forged' WHERE seq = 40`).run();
    const forged = db.prepare('SELECT * FROM audit_log WHERE seq = 40').get() as Row & {
      actor_id: string | null;
      patient_id: string | null;
      entity_id: string | null;
    };
    const canonical = JSON.stringify({
      action: forged.action,
      actor: forged.actor_id,
      at: forged.at,
      detail: forged.detail,
      entity: forged.entity_id,
      patient: forged.patient_id,
      seq: 40,
      v: 1,
    });
    const hash = createHash('sha256').update(r.prev_hash).update(canonical).digest();
    db.prepare('UPDATE audit_log SET hash = ? WHERE seq = 40').run(hash);
    expect(verifyAuditChain(db)).toMatchObject({ ok: false, firstBrokenSeq: 41 });
  });

  for (const k of [1, 25, N - 1]) {
    it(`a deleted record ${k} → detected at seq ${k}`, () => {
      const db = chain();
      db.prepare('DELETE FROM audit_log WHERE seq = ?').run(k);
      const result = verifyAuditChain(db);
      expect(result.ok).toBe(false);
      expect(result.firstBrokenSeq).toBe(k);
      expect(result.reason).toMatch(new RegExp(`record ${k} is missing`));
    });
  }
});
