// appendRecordLeaf: the leaf it appends is the library's leaf hash of the record's
// preimage (origin device, kind, id, content hash, the returned salt), whatever the
// length of the id, and it only runs inside the record's transaction. It keeps the
// log's right edge in memory between appends; whatever else changes the log in the
// meantime (rollbacks, other connections, other code on the same connection), the
// tree must come out exactly as if every append had read the store.
import { createHash } from 'node:crypto';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { InMemoryMerkleNodeStore, leafHash, MerkleLog } from '../../../../anchor-queue';
import { appendRecordLeaf, merkleLogOf } from '../../../../main/store/anchor-log/record-leaf';
import { SqliteMerkleNodeStore } from '../../../../main/store/anchor-log/sqlite-node-store';
import { nativeMerkleHasher } from '../../../../main/store/crypto/merkle-hasher';
import { openEncryptedDatabase, type Db } from '../../../../main/store/database';
import { requireMeta } from '../../../../main/store/repositories/meta';
import { openTestDb } from '../../../helpers/store';

const hashOf = (byte: number) => new Uint8Array(32).fill(byte);

describe('appendRecordLeaf', () => {
  it('appends leafHash(preimage) with the returned salt, for short, long and non-ASCII ids', () => {
    const { db } = openTestDb();
    const origin = requireMeta(db, 'device.id');
    const ids = ['1', 'entry-0001', 'x'.repeat(700), 'سجل-٧', 'y'.repeat(5_000)];
    db.transaction(() => {
      ids.forEach((recordId, i) => {
        const kind = i % 2 === 0 ? 'entry' : 'audit';
        const { leafIndex, salt } = appendRecordLeaf(db, kind, recordId, hashOf(i + 1));
        expect(leafIndex).toBe(i);
        expect(salt).toHaveLength(32);
        const expected = leafHash({
          originDeviceId: origin,
          recordKind: kind,
          recordId,
          contentHash: hashOf(i + 1),
          salt,
        });
        expect(merkleLogOf(db).log.leafHash(leafIndex)).toEqual(expected);
      });
    })();
    expect(merkleLogOf(db).log.size).toBe(ids.length);
  });

  it('refuses to run outside a transaction, and refuses invalid fields before appending', () => {
    const { db } = openTestDb();
    expect(() => appendRecordLeaf(db, 'entry', 'e1', hashOf(1))).toThrow(/inside the transaction/);
    db.transaction(() => {
      expect(() => appendRecordLeaf(db, 'entry', '', hashOf(1))).toThrow(/record id/);
      expect(() => appendRecordLeaf(db, 'entry', 'e1', new Uint8Array(31))).toThrow(/content hash/);
    })();
    expect(merkleLogOf(db).log.size).toBe(0);
  });
});

// ---- the edge kept in memory between appends --------------------------------------------

/** Appends a record leaf in its own transaction (or the caller's) and returns its index and leaf hash. */
function append(db: Db, id: string): { leafIndex: number; hash: Uint8Array } {
  const run = () => {
    const contentHash = new Uint8Array(createHash('sha256').update(id).digest());
    const { leafIndex, salt } = appendRecordLeaf(db, 'audit', id, contentHash);
    const origin = requireMeta(db, 'device.id');
    return {
      leafIndex,
      hash: leafHash({ originDeviceId: origin, recordKind: 'audit', recordId: id, contentHash, salt }),
    };
  };
  return db.inTransaction ? run() : db.transaction(run)();
}

/** The log on `db` is exactly the tree of `leaves` (leaf hashes by index): every leaf and every root. */
function expectTree(db: Db, leaves: Uint8Array[]): void {
  const reference = new MerkleLog(new InMemoryMerkleNodeStore());
  for (const hash of leaves) reference.appendLeafHash(hash);
  const { log } = merkleLogOf(db);
  expect(log.size).toBe(leaves.length);
  for (let i = 0; i < leaves.length; i++) expect(log.leafHash(i)).toEqual(leaves[i]);
  for (let size = 0; size <= leaves.length; size++) expect(log.root(size)).toEqual(reference.root(size));
}

const rollback = (db: Db, work: () => void) =>
  expect(() =>
    db.transaction(() => {
      work();
      throw new Error('the record insert failed');
    })(),
  ).toThrow(/record insert/);

describe('appendRecordLeaf keeps the log right across appends that bypass it', () => {
  it('appends in separate transactions without reading a tree node, and builds the same tree', () => {
    const { db } = openTestDb();
    const leaves: Uint8Array[] = [];
    leaves.push(append(db, 'first').hash);
    const reads = vi.spyOn(SqliteMerkleNodeStore.prototype, 'get');
    for (let i = 0; i < 200; i++) {
      const { leafIndex, hash } = append(db, `r${i}`);
      expect(leafIndex).toBe(leaves.length);
      leaves.push(hash);
    }
    expect(reads).not.toHaveBeenCalled();
    reads.mockRestore();
    expectTree(db, leaves);
  });

  it('forgets appends rolled back with their transaction: the next leaf takes their index', () => {
    const { db } = openTestDb();
    const leaves = [0, 1, 2, 3, 4].map((i) => append(db, `c${i}`).hash);
    rollback(db, () => {
      append(db, 'gone-1');
      append(db, 'gone-2');
    });
    for (let i = 0; i < 3; i++) {
      const { leafIndex, hash } = append(db, `d${i}`);
      expect(leafIndex).toBe(leaves.length);
      leaves.push(hash);
    }
    expectTree(db, leaves);
  });

  it('forgets appends rolled back to a savepoint inside a transaction that goes on and commits', () => {
    const { db } = openTestDb();
    const leaves = [append(db, 'a').hash];
    db.transaction(() => {
      leaves.push(append(db, 'b').hash);
      rollback(db, () => append(db, 'gone'));
      const { leafIndex, hash } = append(db, 'c');
      expect(leafIndex).toBe(2);
      leaves.push(hash);
    })();
    expectTree(db, leaves);
  });

  it('follows appends made by another connection (another process) in between', () => {
    const { db, file, dataKey } = openTestDb();
    const other = openEncryptedDatabase(file, dataKey, { create: false });
    onTestFinished(() => void other.close());
    const leaves: Uint8Array[] = [];
    for (const [conn, count] of [
      [db, 3],
      [other, 4],
      [db, 2],
      [other, 1],
      [db, 3],
    ] as const) {
      for (let i = 0; i < count; i++) {
        const { leafIndex, hash } = append(conn, `x${leaves.length}`);
        expect(leafIndex).toBe(leaves.length);
        leaves.push(hash);
      }
    }
    expectTree(db, leaves);
    expectTree(other, leaves);
  });

  it('is not fooled when another connection appends as many leaves as were rolled back here', () => {
    const { db, file, dataKey } = openTestDb();
    const other = openEncryptedDatabase(file, dataKey, { create: false });
    onTestFinished(() => void other.close());
    const leaves = [0, 1, 2].map((i) => append(db, `c${i}`).hash);
    // Here, leaves 3 and 4 are appended and rolled back; the other connection then
    // appends its own leaves 3 and 4: the log has the size the edge here expects.
    rollback(db, () => {
      append(db, 'gone-3');
      append(db, 'gone-4');
    });
    leaves.push(append(other, 'other-3').hash, append(other, 'other-4').hash);
    const { leafIndex, hash } = append(db, 'c5');
    expect(leafIndex).toBe(5);
    leaves.push(hash);
    expectTree(db, leaves);
  });

  it('follows appends made on the same connection through MerkleLog, also after a rollback', () => {
    const { db } = openTestDb();
    const direct = new MerkleLog(new SqliteMerkleNodeStore(db), nativeMerkleHasher);
    const leaves = [0, 1, 2].map((i) => append(db, `c${i}`).hash);
    db.transaction(() => {
      for (const i of [3, 4]) leaves.push(direct.append(new Uint8Array([i])).leafHash);
    })();
    leaves.push(append(db, 'c5').hash);
    rollback(db, () => append(db, 'gone-6'));
    db.transaction(() => leaves.push(direct.append(new Uint8Array([6])).leafHash))();
    const { leafIndex, hash } = append(db, 'c7');
    expect(leafIndex).toBe(7);
    leaves.push(hash);
    expectTree(db, leaves);
  });

  it('stays right on a connection without foreign keys (reads the store every time)', () => {
    const { db } = openTestDb();
    db.pragma('foreign_keys = OFF');
    const leaves = [0, 1, 2].map((i) => append(db, `c${i}`).hash);
    rollback(db, () => append(db, 'gone'));
    leaves.push(append(db, 'c3').hash);
    expectTree(db, leaves);
  });
});
