// Migration 0011: conflicts can be `settled` (ended by a change from another device,
// with no resolver here); rows already queued are kept as they were.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEncryptedDatabase } from '../../../../main/store/database';
import { migrate } from '../../../../main/store/migrate';
import { migrations } from '../../../../main/store/migrations';
import { tempDir } from '../../../helpers/temp-dir';

const insert = `INSERT INTO sync_conflicts (id, document_id, patient_id, kind, path, record_json, detected_at,
  status, resolved_by, resolved_at, reason) VALUES (?, 'doc-1', NULL, 'concurrent-value', 'demographics.phone', '{}', 'then', ?, ?, ?, ?)`;

describe('migration 0011-conflicts-settled', () => {
  it('keeps queued conflicts and allows settled ones, which need when and why but no resolver', () => {
    const db = openEncryptedDatabase(join(tempDir('sijill-m11'), 't.db'), new Uint8Array(randomBytes(32)), {
      create: true,
    });
    expect(migrate(db, migrations.slice(0, 10))).toBe(10);
    db.prepare(
      `INSERT INTO users (id, username, display_name, role, password_hash, public_key, private_key_enc, created_at)
       VALUES ('u1', 'u1', 'Dr U', 'doctor', 'x', zeroblob(32), x'00', 'then')`,
    ).run();
    db.prepare(insert).run('c-open', 'open', null, null, null);
    db.prepare(insert).run('c-done', 'resolved', 'u1', 'now', 'checked the ID card');
    expect(() => db.prepare(insert).run('c-settled', 'settled', null, 'now', 'elsewhere')).toThrow(/CHECK/);
    const before = db.prepare('SELECT * FROM sync_conflicts ORDER BY id').all();

    expect(migrate(db, migrations.slice(0, 11))).toBe(11);
    expect(db.prepare('SELECT * FROM sync_conflicts ORDER BY id').all()).toEqual(before);
    db.prepare(insert).run('c-settled', 'settled', null, 'now', 'Resolved on another device.');
    expect(() => db.prepare(insert).run('c-bare', 'settled', null, null, null)).toThrow(/CHECK/);
    expect(() => db.prepare(insert).run('c-anon', 'resolved', null, 'now', 'who?')).toThrow(/CHECK/);
    const plan = (
      db
        .prepare(`EXPLAIN QUERY PLAN SELECT * FROM sync_conflicts WHERE document_id = ? AND status = 'open'`)
        .all('d') as { detail: string }[]
    )
      .map((r) => r.detail)
      .join('\n');
    expect(plan).toMatch(/sync_conflicts_by_document/);
    db.close();
  });
});
