// The Merkle log's node store in the encrypted database: one merkle_log row per
// append holding the nodes it completes, the same tree as the in-memory reference
// store, and the append-only, no-gap rules.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InMemoryMerkleNodeStore, MerkleLog, rfc6962Hasher } from '../../../../anchor-queue';
import {
  insertLeafRow,
  nodeStoreWrites,
  SqliteMerkleNodeStore,
} from '../../../../main/store/anchor-log/sqlite-node-store';
import { nativeMerkleHasher } from '../../../../main/store/crypto/merkle-hasher';
import { openEncryptedDatabase, type Db } from '../../../../main/store/database';
import { migrate } from '../../../../main/store/migrate';
import { tempDir } from '../../../helpers/temp-dir';

function migratedDb(): Db {
  const db = openEncryptedDatabase(join(tempDir('sijill-nodes'), 't.db'), new Uint8Array(randomBytes(32)), {
    create: true,
  });
  migrate(db);
  return db;
}

const leaf = (i: number) => new TextEncoder().encode(`leaf ${i}`);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('SqliteMerkleNodeStore', () => {
  it('writes one row per append: the nodes the leaf completes, level 0 first', () => {
    const db = migratedDb();
    const reference = new InMemoryMerkleNodeStore();
    const memory = new MerkleLog(reference, rfc6962Hasher);
    const sqlite = new MerkleLog(new SqliteMerkleNodeStore(db), nativeMerkleHasher);
    db.transaction(() => {
      for (let i = 0; i < 40; i++) {
        memory.append(leaf(i));
        sqlite.append(leaf(i));
      }
    })();
    const rows = db.prepare('SELECT leaf, nodes FROM merkle_log ORDER BY leaf').all() as {
      leaf: number;
      nodes: Buffer;
    }[];
    expect(rows.map((r) => r.leaf)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    for (const { leaf: m, nodes } of rows) {
      let expected = hex(reference.get(0, m)!);
      // One more node per trailing 1 bit of m: the subtrees leaf m completes.
      for (let k = 1; Math.floor(m / 2 ** (k - 1)) % 2 === 1; k++) {
        expected += hex(reference.get(k, Math.floor(m / 2 ** k))!);
      }
      expect(hex(nodes)).toBe(expected);
    }
    db.close();
  });

  it('holds the same tree as the in-memory reference store (roots and proofs at every size)', () => {
    const db = migratedDb();
    const sqlite = new MerkleLog(new SqliteMerkleNodeStore(db), nativeMerkleHasher);
    const memory = new MerkleLog(new InMemoryMerkleNodeStore(), rfc6962Hasher);
    db.transaction(() => {
      for (let i = 0; i < 300; i++) {
        expect(sqlite.append(leaf(i))).toEqual(memory.append(leaf(i)));
      }
    })();
    expect(sqlite.size).toBe(300);
    for (let size = 1; size <= 300; size += 7) {
      expect(sqlite.root(size)).toEqual(memory.root(size));
      for (let index = 0; index < size; index += 13) {
        expect(sqlite.inclusionProof(index, size)).toEqual(memory.inclusionProof(index, size));
      }
      expect(sqlite.consistencyProof(size, 300)).toEqual(memory.consistencyProof(size, 300));
    }
    expect(sqlite.root(0)).toEqual(memory.root(0));
    expect(sqlite.frontier().root(nativeMerkleHasher)).toEqual(memory.root());
    db.close();
  });

  it('an append rolled back with its transaction leaves no trace', () => {
    const db = migratedDb();
    const log = new MerkleLog(new SqliteMerkleNodeStore(db), nativeMerkleHasher);
    db.transaction(() => {
      for (let i = 0; i < 5; i++) log.append(leaf(i));
    })();
    const root = log.root();
    expect(() =>
      db.transaction(() => {
        log.append(leaf(5));
        log.append(leaf(6));
        throw new Error('the record insert failed');
      })(),
    ).toThrow(/record insert/);
    expect(log.size).toBe(5);
    expect(log.root()).toEqual(root);
    db.close();
  });

  it('counts the appends it writes on each connection', () => {
    const db = migratedDb();
    const log = new MerkleLog(new SqliteMerkleNodeStore(db), nativeMerkleHasher);
    expect(nodeStoreWrites(db)).toBe(0);
    db.transaction(() => {
      for (let i = 0; i < 3; i++) log.append(leaf(i));
    })();
    expect(nodeStoreWrites(db)).toBe(3);
    db.close();
  });

  it('takes an append only in order: (0, n) first, then the nodes leaf n completes, then size n + 1', () => {
    const db = migratedDb();
    const store = new SqliteMerkleNodeStore(db);
    const h = (byte: number) => new Uint8Array(32).fill(byte);
    expect(() => store.put(1, 0, h(1))).toThrow(/not the next node/);
    store.put(0, 0, h(1));
    expect(() => store.setSize(2)).toThrow(/does not end/);
    store.put(0, 0, h(1));
    store.setSize(1);
    store.put(0, 1, h(2));
    expect(() => store.put(2, 0, h(3))).toThrow(/not the next node/);
    store.put(0, 1, h(2));
    store.put(1, 0, h(3));
    store.setSize(2);
    expect(store.getSize()).toBe(2);
    expect([store.get(0, 0), store.get(0, 1), store.get(1, 0)]).toEqual([h(1), h(2), h(3)]);
    expect(store.get(1, 1)).toBeUndefined();
    expect(store.get(2, 0)).toBeUndefined();
    expect(() => store.put(0, 0, new Uint8Array(31))).toThrow(/32 bytes/);
    db.close();
  });

  it('never writes a leaf twice, leaves no gap, ties a row to its leaf, and refuses UPDATE and DELETE', () => {
    const db = migratedDb();
    const h = (bytes: number) => new Uint8Array(bytes).fill(7);
    insertLeafRow(db, 0, h(32));
    expect(() => insertLeafRow(db, 0, h(32))).toThrow(/UNIQUE|PRIMARY/);
    // Leaf 2 cannot come before leaf 1.
    expect(() => insertLeafRow(db, 2, h(32))).toThrow(/FOREIGN KEY/);
    // Leaf 1 (0b1) completes one subtree: exactly two nodes; leaf 2 none: one.
    expect(() => insertLeafRow(db, 1, h(32))).toThrow(/CHECK/);
    expect(() => insertLeafRow(db, 1, h(96))).toThrow(/CHECK/);
    expect(() => insertLeafRow(db, 1, h(63))).toThrow(/CHECK/);
    insertLeafRow(db, 1, h(64));
    expect(() => insertLeafRow(db, 2, h(64))).toThrow(/CHECK/);
    insertLeafRow(db, 2, h(32));
    expect(() => db.prepare('UPDATE merkle_log SET nodes = zeroblob(32) WHERE leaf = 2').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM merkle_log').run()).toThrow(/append-only/);
    expect(() => db.prepare('INSERT OR REPLACE INTO merkle_log (leaf, nodes) VALUES (2, zeroblob(32))').run()).toThrow(
      /append-only/,
    );
    db.close();
  });
});
