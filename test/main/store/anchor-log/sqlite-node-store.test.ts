// The Merkle log's node store in the encrypted database: keys that only grow in
// append order (so a commit's nodes share the table's last page), the same tree as
// the in-memory reference store, and the append-only rules.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InMemoryMerkleNodeStore, MerkleLog, rfc6962Hasher, type MerkleNodeStore } from '../../../../anchor-queue';
import { MAX_TREE_LEAVES, nodeKey, SqliteMerkleNodeStore } from '../../../../main/store/anchor-log/sqlite-node-store';
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

describe('nodeKey', () => {
  it('grows with every node a log writes, in the order it writes them', () => {
    const keys: number[] = [];
    const inner = new InMemoryMerkleNodeStore();
    const recording: MerkleNodeStore = {
      get: (level, index) => inner.get(level, index),
      put: (level, index, hash) => {
        keys.push(nodeKey(level, index));
        inner.put(level, index, hash);
      },
      getSize: () => inner.getSize(),
      setSize: (size) => inner.setSize(size),
    };
    const log = new MerkleLog(recording);
    for (let i = 0; i < 2_000; i++) log.append(leaf(i));
    // n appends write 2n - popcount(n) nodes; 2000 = 0b11111010000 has 6 one bits.
    expect(keys.length).toBe(2 * 2_000 - 6);
    for (let i = 1; i < keys.length; i++) expect(keys[i]).toBeGreaterThan(keys[i - 1]!);
  });

  it('refuses nodes beyond the largest log it can key exactly', () => {
    expect(() => nodeKey(0, MAX_TREE_LEAVES)).toThrow(RangeError);
    expect(() => nodeKey(47, 1)).toThrow(RangeError);
    expect(nodeKey(0, MAX_TREE_LEAVES - 1)).toBe((MAX_TREE_LEAVES - 1) * 64);
  });
});

describe('SqliteMerkleNodeStore', () => {
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

  it('never writes a node twice, and refuses UPDATE and DELETE', () => {
    const db = migratedDb();
    const store = new SqliteMerkleNodeStore(db);
    store.put(0, 0, new Uint8Array(32).fill(1));
    expect(() => store.put(0, 0, new Uint8Array(32).fill(2))).toThrow(/UNIQUE|PRIMARY/);
    expect(store.get(0, 0)).toEqual(new Uint8Array(32).fill(1));
    expect(() => db.prepare('UPDATE merkle_tree SET hash = zeroblob(32)').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM merkle_tree').run()).toThrow(/append-only/);
    expect(() => store.put(1, 0, new Uint8Array(31))).toThrow(/CHECK/);
    db.close();
  });
});
