// Migration 0005: Merkle nodes keyed by the append that completes them, and each
// record's leaf index and salt moved into the record's own row. A log written in the
// old layout must come out as the same tree, with every leaf still provable.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InMemoryMerkleNodeStore, leafData, MerkleLog, type LeafPreimage } from '../../../../anchor-queue';
import { nativeMerkleHasher } from '../../../../main/store/crypto/merkle-hasher';
import { openEncryptedDatabase, type Db } from '../../../../main/store/database';
import { migrate } from '../../../../main/store/migrate';
import { migrations } from '../../../../main/store/migrations';
import { insertPatientRow, insertTestUser } from '../../../helpers/store';
import { tempDir } from '../../../helpers/temp-dir';
import { MerkleTree0005Store } from './merkle-tree-0005';

const AT = '2026-01-01T00:00:00.000Z';
const tables = (db: Db) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);

/** A version-4 database holding `n` records (entries and audit records alternating) and their leaves, old layout. */
function version4WithLog(n: number) {
  const dataKey = new Uint8Array(randomBytes(32));
  const db = openEncryptedDatabase(join(tempDir('sijill-m5'), 't.db'), dataKey, { create: true });
  expect(migrate(db, migrations.slice(0, 4))).toBe(4);
  const author = insertTestUser(db, dataKey);
  const patientId = insertPatientRow(db);
  const reference = new MerkleLog(new InMemoryMerkleNodeStore());
  const leaves: (LeafPreimage & { index: number })[] = [];
  let seq = 0;
  for (let i = 0; i < n; i++) {
    const kind = i % 2 === 0 ? 'entry' : 'audit';
    const recordId = kind === 'entry' ? `entry-${i}` : String(++seq);
    const preimage = {
      originDeviceId: 'device-1',
      recordKind: kind,
      recordId,
      contentHash: new Uint8Array(randomBytes(32)),
      salt: new Uint8Array(randomBytes(32)),
    };
    const { index, leafHash } = reference.append(leafData(preimage));
    leaves.push({ ...preimage, index });
    if (kind === 'entry') {
      db.prepare(
        `INSERT INTO entries (id, patient_id, kind, author_id, created_at, amends, canonical, content_hash, signature)
         VALUES (?, ?, 'note', ?, ?, NULL, '{}', ?, ?)`,
      ).run(recordId, patientId, author.row.id, AT, preimage.contentHash, Buffer.alloc(64));
    } else {
      db.prepare(
        `INSERT INTO audit_log (seq, at, actor_id, action, prev_hash, hash) VALUES (?, ?, NULL, 'x', ?, ?)`,
      ).run(seq, AT, Buffer.alloc(32), preimage.contentHash);
    }
    db.prepare(
      `INSERT INTO merkle_leaves (leaf_index, record_kind, record_id, content_hash, salt, leaf_hash, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(index, kind, recordId, preimage.contentHash, preimage.salt, leafHash, AT);
  }
  // The old node table: every stored (level, idx) of the reference log.
  const store = new InMemoryMerkleNodeStore();
  const copy = new MerkleLog(store);
  for (const l of leaves) copy.append(leafData(l));
  for (let level = 0; level < 20; level++) {
    for (let idx = 0; store.get(level, idx); idx++) {
      db.prepare('INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)').run(level, idx, store.get(level, idx));
    }
  }
  return { db, reference, leaves };
}

describe('migration 0005-compact-merkle-log', () => {
  it('carries the tree over unchanged: same size, roots and proofs at every size', () => {
    const { db, reference } = version4WithLog(37);
    expect(migrate(db, migrations.slice(0, 5))).toBe(5);
    expect(tables(db)).toContain('merkle_tree');
    expect(tables(db)).not.toContain('merkle_nodes');
    expect(tables(db)).not.toContain('merkle_leaves');
    const log = new MerkleLog(new MerkleTree0005Store(db), nativeMerkleHasher);
    expect(log.size).toBe(37);
    for (let size = 1; size <= 37; size++) {
      expect(log.root(size)).toEqual(reference.root(size));
      for (let i = 0; i < size; i++) expect(log.inclusionProof(i, size)).toEqual(reference.inclusionProof(i, size));
    }
    // And it keeps growing as the same log would.
    const next = leafData({
      originDeviceId: 'device-1',
      recordKind: 'entry',
      recordId: 'later',
      contentHash: new Uint8Array(32).fill(1),
      salt: new Uint8Array(32).fill(2),
    });
    db.transaction(() => expect(log.append(next)).toEqual(reference.append(next)))();
    expect(log.root()).toEqual(reference.root());
    db.close();
  });

  it('moves each leaf index and salt into its record', () => {
    const { db, leaves } = version4WithLog(20);
    migrate(db, migrations.slice(0, 5));
    for (const l of leaves) {
      const row = (
        l.recordKind === 'entry'
          ? db.prepare('SELECT leaf_index, leaf_salt FROM entries WHERE id = ?').get(l.recordId)
          : db.prepare('SELECT leaf_index, leaf_salt FROM audit_log WHERE seq = ?').get(Number(l.recordId))
      ) as { leaf_index: number; leaf_salt: Buffer };
      expect(row.leaf_index).toBe(l.index);
      expect(new Uint8Array(row.leaf_salt)).toEqual(l.salt);
    }
    db.close();
  });

  it('keeps records immutable and the tree append-only afterwards', () => {
    const { db } = version4WithLog(4);
    migrate(db, migrations.slice(0, 5));
    expect(() => db.prepare('UPDATE entries SET leaf_index = 99').run()).toThrow(/immutable/);
    expect(() => db.prepare('UPDATE audit_log SET leaf_salt = NULL').run()).toThrow(/append-only/);
    expect(() => db.prepare('UPDATE merkle_tree SET hash = zeroblob(32)').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM merkle_tree').run()).toThrow(/append-only/);
    expect(() =>
      db
        .prepare(
          "INSERT INTO audit_log (seq, at, action, prev_hash, hash, leaf_salt) VALUES (99, 'now', 'x', ?, ?, x'00')",
        )
        .run(Buffer.alloc(32), Buffer.alloc(32)),
    ).toThrow(/CHECK/);
    db.close();
  });
});
