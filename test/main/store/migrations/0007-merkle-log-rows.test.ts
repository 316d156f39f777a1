// Migration 0007: the Merkle log as one row per append (merkle_log) instead of one row
// per node (merkle_tree). The tree must come out unchanged at every size, keep
// growing as the same log, and keep its guards; a damaged tree must stop the
// migration rather than be carried over.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InMemoryMerkleNodeStore, MerkleLog } from '../../../../anchor-queue';
import { appendRecordLeaf, merkleLogOf } from '../../../../main/store/anchor-log/record-leaf';
import { SqliteMerkleNodeStore } from '../../../../main/store/anchor-log/sqlite-node-store';
import { nativeMerkleHasher } from '../../../../main/store/crypto/merkle-hasher';
import { openEncryptedDatabase, type Db } from '../../../../main/store/database';
import { migrate } from '../../../../main/store/migrate';
import { migrations } from '../../../../main/store/migrations';
import { setMeta } from '../../../../main/store/repositories/meta';
import { tempDir } from '../../../helpers/temp-dir';
import { merkleTreeKey, MerkleTree0005Store } from './merkle-tree-0005';

const tables = (db: Db) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
const version = (db: Db) => db.pragma('user_version', { simple: true });

/** A version-6 database whose merkle_tree holds a log of `n` leaves, and that log in memory. */
function version6WithTree(n: number): { db: Db; reference: MerkleLog } {
  const db = openEncryptedDatabase(join(tempDir('sijill-m7'), 't.db'), new Uint8Array(randomBytes(32)), {
    create: true,
  });
  expect(migrate(db, migrations.slice(0, 6))).toBe(6);
  setMeta(db, 'device.id', 'device-1');
  const reference = new MerkleLog(new InMemoryMerkleNodeStore());
  const old = new MerkleLog(new MerkleTree0005Store(db));
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const leaf = new Uint8Array(randomBytes(40));
      expect(old.append(leaf)).toEqual(reference.append(leaf));
    }
  })();
  return { db, reference };
}

describe('migration 0007-merkle-log-rows', () => {
  it('carries the tree over unchanged: same size, leaves, roots and proofs at every size', () => {
    const { db, reference } = version6WithTree(77);
    expect(migrate(db, migrations.slice(0, 7))).toBe(7);
    expect(tables(db)).toContain('merkle_log');
    expect(tables(db)).not.toContain('merkle_tree');
    expect(db.prepare('SELECT count(*) FROM merkle_log').pluck().get()).toBe(77);
    const log = new MerkleLog(new SqliteMerkleNodeStore(db), nativeMerkleHasher);
    expect(log.size).toBe(77);
    for (let size = 1; size <= 77; size++) {
      expect(log.leafHash(size - 1)).toEqual(reference.leafHash(size - 1));
      expect(log.root(size)).toEqual(reference.root(size));
      for (let i = 0; i < size; i += 5) expect(log.inclusionProof(i, size)).toEqual(reference.inclusionProof(i, size));
      expect(log.consistencyProof(size, 77)).toEqual(reference.consistencyProof(size, 77));
    }
    // And it keeps growing as the same log, through MerkleLog and through the record path.
    const next = new Uint8Array(randomBytes(40));
    db.transaction(() => expect(log.append(next)).toEqual(reference.append(next)))();
    db.transaction(() => {
      const { leafIndex } = appendRecordLeaf(db, 'audit', '1', new Uint8Array(32).fill(1));
      expect(leafIndex).toBe(78);
      reference.appendLeafHash(merkleLogOf(db).log.leafHash(78));
    })();
    expect(log.root()).toEqual(reference.root());
    db.close();
  });

  it('carries an empty log over as an empty log', () => {
    const { db } = version6WithTree(0);
    expect(migrate(db, migrations.slice(0, 7))).toBe(7);
    expect(new MerkleLog(new SqliteMerkleNodeStore(db)).size).toBe(0);
    db.close();
  });

  it('keeps the log append-only and without gaps afterwards', () => {
    const { db } = version6WithTree(4);
    migrate(db, migrations.slice(0, 7));
    expect(() => db.prepare('UPDATE merkle_log SET nodes = zeroblob(32) WHERE leaf = 0').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM merkle_log WHERE leaf = 3').run()).toThrow(/append-only/);
    expect(() => db.prepare('INSERT INTO merkle_log (leaf, nodes) VALUES (5, zeroblob(64))').run()).toThrow(
      /FOREIGN KEY/,
    );
    db.close();
  });

  it.each([
    ['a missing interior node', merkleTreeKey(1, 1)],
    ['a missing leaf', merkleTreeKey(0, 2)],
    ['every node of one append', null],
  ])('stops on a damaged tree (%s) and leaves the database at version 6', (_name, lost) => {
    const { db } = version6WithTree(8);
    db.exec('DROP TRIGGER merkle_tree_no_delete');
    // Leaf 5 (0b101) completes (0, 5) and (1, 2).
    if (lost === null) db.prepare('DELETE FROM merkle_tree WHERE node >> 6 = 5').run();
    else db.prepare('DELETE FROM merkle_tree WHERE node = ?').run(lost);
    expect(() => migrate(db, migrations.slice(0, 7))).toThrow(/CHECK|FOREIGN KEY|gap/);
    expect(version(db)).toBe(6);
    expect(tables(db)).toContain('merkle_tree');
    expect(tables(db)).not.toContain('merkle_log');
    db.close();
  });
});
