// Migration 0006: the sync tables (clinic membership, roster operations, enrollment
// codes, peers and per-peer heads, conflict queue, refused entries, bundle imports).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEncryptedDatabase } from '../../../../main/store/database';
import { migrate } from '../../../../main/store/migrate';
import { migrations } from '../../../../main/store/migrations';
import { tempDir } from '../../../helpers/temp-dir';

describe('migration 0006-sync', () => {
  it('applies on top of 0005 and creates the sync tables with their guards', () => {
    const db = openEncryptedDatabase(join(tempDir('sijill-m6'), 't.db'), new Uint8Array(randomBytes(32)), {
      create: true,
    });
    expect(migrate(db, migrations.slice(0, 5))).toBe(5);
    expect(migrate(db, migrations.slice(0, 6))).toBe(6);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
      (r) => r.name,
    );
    for (const t of [
      'sync_clinic',
      'sync_roster_ops',
      'sync_enrollment_codes',
      'sync_peers',
      'sync_peer_docs',
      'sync_conflicts',
      'sync_refused_entries',
      'sync_bundle_imports',
    ])
      expect(tables).toContain(t);

    // Only one clinic membership row.
    const member = db.prepare(
      "INSERT INTO sync_clinic (id, clinic_id, genesis, clinic_key_enc, roster_doc_id, catalog_doc_id, joined_at) VALUES (?, 'c', ?, x'00', 'r', 'k', 'now')",
    );
    member.run(1, 'a'.repeat(64));
    expect(() => member.run(2, 'a'.repeat(64))).toThrow(/CHECK/);

    db.prepare("INSERT INTO sync_roster_ops (hash, op, received_at) VALUES (?, x'01', 'now')").run('b'.repeat(64));
    expect(() => db.prepare("UPDATE sync_roster_ops SET op = x'02'").run()).toThrow(/immutable/);
    expect(() => db.prepare('DELETE FROM sync_roster_ops').run()).toThrow(/immutable/);

    // A code key is the 32-byte derived key, never the code itself.
    expect(() =>
      db
        .prepare(
          "INSERT INTO sync_enrollment_codes (id, clinic_id, created_by, created_at, expires_at, code_key, admin) VALUES ('x', 'c', 'd', 'now', 'later', x'00', 0)",
        )
        .run(),
    ).toThrow(/CHECK/);

    // A resolved conflict must say who resolved it, when and why.
    const conflict = db.prepare(
      "INSERT INTO sync_conflicts (id, document_id, kind, path, record_json, detected_at, status) VALUES (?, 'doc', 'concurrent-value', 'mrn', '{}', 'now', ?)",
    );
    conflict.run('open-one', 'open');
    expect(() => conflict.run('bad', 'resolved')).toThrow(/CHECK/);
    expect(() => conflict.run('worse', 'maybe')).toThrow(/CHECK/);

    // Per-peer heads belong to a known peer.
    expect(() =>
      db
        .prepare(
          "INSERT INTO sync_peer_docs (device_id, document_id, heads, synced_at) VALUES ('ghost', 'd', '[]', 'now')",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);

    // Imported bundle ids are never forgotten, and a device's sequence number is used once.
    const imp = db.prepare(
      "INSERT INTO sync_bundle_imports (bundle_id, from_device, sequence, imported_at, docs, entries) VALUES (?, 'dev', ?, 'now', 1, 0)",
    );
    imp.run('b1', 1);
    expect(() => imp.run('b2', 1)).toThrow(/UNIQUE/);
    expect(() => db.prepare('DELETE FROM sync_bundle_imports').run()).toThrow(/replay/);
    db.close();
  });
});
