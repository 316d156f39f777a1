// Migration 0012: each peer's last contact (a connection that authenticated), filled
// for peers met before from the audit log's connection records; and what it answers:
// whether this device dealt with a revoked peer after its revocation.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEncryptedDatabase } from '../../../../main/store/database';
import { migrate } from '../../../../main/store/migrate';
import { migrations } from '../../../../main/store/migrations';
import { lastContactAfter, markPeerContact, upsertPeer } from '../../../../main/store/sync/peers';
import { tempDir } from '../../../helpers/temp-dir';

describe('migration 0012-peer-last-contact', () => {
  it('fills each peer’s last contact from the audit log and its last sync; contacts and bundles after a time are found', () => {
    const db = openEncryptedDatabase(join(tempDir('sijill-m12'), 't.db'), new Uint8Array(randomBytes(32)), {
      create: true,
    });
    expect(migrate(db, migrations.slice(0, 11))).toBe(11);
    upsertPeer(db, 'laptop', null, '2026-01-01T00:00:00.000Z');
    upsertPeer(db, 'tablet', null, '2026-01-01T00:00:00.000Z');
    const audit = db.prepare(
      `INSERT INTO audit_log (at, action, entity_id, prev_hash, hash) VALUES (?, ?, ?, x'00', x'00')`,
    );
    audit.run('2026-01-02T00:00:00.000Z', 'sync.peer.connected', 'laptop');
    audit.run('2026-01-05T00:00:00.000Z', 'sync.peer.connected', 'laptop');
    audit.run('2026-01-04T00:00:00.000Z', 'sync.completed', 'laptop');
    audit.run('2026-01-09T00:00:00.000Z', 'sync.roster.received', 'laptop'); // not a contact record
    audit.run('2026-01-03T00:00:00.000Z', 'sync.peer.connected', 'desk'); // not a peer row
    upsertPeer(db, 'field', null, '2026-01-01T00:00:00.000Z');
    db.prepare(`UPDATE sync_peers SET last_sync_at = '2026-01-07T00:00:00.000Z' WHERE device_id = 'field'`).run();
    audit.run('2026-01-06T00:00:00.000Z', 'sync.peer.connected', 'field');

    expect(migrate(db, migrations.slice(0, 12))).toBe(12);
    const contact = (id: string) =>
      (db.prepare('SELECT last_contact_at AS at FROM sync_peers WHERE device_id = ?').get(id) as { at: string | null })
        .at;
    expect(contact('laptop')).toBe('2026-01-05T00:00:00.000Z');
    expect(contact('tablet')).toBeNull();
    expect(contact('field')).toBe('2026-01-07T00:00:00.000Z');

    expect(lastContactAfter(db, 'laptop', '2026-01-04T00:00:00.000Z')).toBe('2026-01-05T00:00:00.000Z');
    expect(lastContactAfter(db, 'laptop', '2026-01-05T00:00:00.000Z')).toBeNull();
    expect(lastContactAfter(db, 'tablet', '2026-01-01T00:00:00.000Z')).toBeNull();
    expect(lastContactAfter(db, 'stranger', '2026-01-01T00:00:00.000Z')).toBeNull();
    markPeerContact(db, 'tablet', '2026-02-01T00:00:00.000Z');
    expect(lastContactAfter(db, 'tablet', '2026-01-15T00:00:00.000Z')).toBe('2026-02-01T00:00:00.000Z');
    // A bundle from it imported here counts as a contact too, whichever is later.
    db.prepare(
      `INSERT INTO sync_bundle_imports (bundle_id, from_device, sequence, imported_at, docs, entries)
       VALUES ('b1', 'laptop', 1, '2026-03-01T00:00:00.000Z', 1, 0)`,
    ).run();
    expect(lastContactAfter(db, 'laptop', '2026-01-04T00:00:00.000Z')).toBe('2026-03-01T00:00:00.000Z');
    db.close();
  });
});
