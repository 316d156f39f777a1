// MerkleLog behaviour and the MerkleNodeStore contract it relies on.
import { describe, expect, it } from 'vitest';
import {
  InMemoryMerkleNodeStore,
  MerkleLog,
  MerkleStoreCorruptError,
  merkleRoot,
  rfc6962Hasher,
  verifyInclusion,
  type MerkleNodeStore,
} from '../../anchor-queue';
import { perfectSubtrees } from '../../anchor-queue/merkle/tree-math';
import { buildLog, hex, syntheticLeaves } from './helpers';

type StoreCall = ['put', number, number] | ['setSize', number];

/** Records the writes a log makes, so the documented write set can be checked. */
class RecordingStore extends InMemoryMerkleNodeStore {
  calls: StoreCall[] = [];
  override put(level: number, index: number, hash: Uint8Array): void {
    this.calls.push(['put', level, index]);
    super.put(level, index, hash);
  }
  override setSize(size: number): void {
    this.calls.push(['setSize', size]);
    super.setSize(size);
  }
}

/** A stand-in for an SQLite transaction: copies of the state to roll back to. */
class SnapshotStore implements MerkleNodeStore {
  private nodes = new Map<string, Uint8Array>();
  private size = 0;
  get(level: number, index: number) {
    return this.nodes.get(`${level}/${index}`)?.slice();
  }
  put(level: number, index: number, hash: Uint8Array) {
    const key = `${level}/${index}`;
    if (this.nodes.has(key)) throw new Error(`node ${key} already written`);
    this.nodes.set(key, Uint8Array.from(hash));
  }
  getSize() {
    return this.size;
  }
  setSize(size: number) {
    this.size = size;
  }
  transaction(work: () => void) {
    const saved = { nodes: new Map(this.nodes), size: this.size };
    try {
      work();
    } catch (error) {
      this.nodes = saved.nodes;
      this.size = saved.size;
      throw error;
    }
  }
}

describe('MerkleLog', () => {
  it('starts empty with the empty-tree root', () => {
    const log = new MerkleLog(new InMemoryMerkleNodeStore());
    expect(log.size).toBe(0);
    expect(hex(log.root())).toBe(hex(rfc6962Hasher.emptyRoot()));
    expect(log.consistencyProof(0, 0)).toEqual([]);
  });

  it('append returns the index and the RFC 6962 leaf hash', () => {
    const log = new MerkleLog(new InMemoryMerkleNodeStore());
    const data = new TextEncoder().encode('first');
    const appended = log.append(data);
    expect(appended.index).toBe(0);
    expect(hex(appended.leafHash)).toBe(hex(rfc6962Hasher.hashLeaf(data)));
    expect(log.append(new Uint8Array([1])).index).toBe(1);
    expect(log.size).toBe(2);
  });

  it('appendLeafHash appends a precomputed hash and rejects anything but 32 bytes', () => {
    const log = new MerkleLog(new InMemoryMerkleNodeStore());
    const hash = rfc6962Hasher.hashLeaf(new Uint8Array([7]));
    expect(log.appendLeafHash(hash)).toBe(0);
    expect(hex(log.root())).toBe(hex(merkleRoot([new Uint8Array([7])])));
    expect(() => log.appendLeafHash(new Uint8Array(31))).toThrow(TypeError);
    expect(() => log.append('text' as unknown as Uint8Array)).toThrow(TypeError);
    expect(log.size).toBe(1);
  });

  it('writes exactly the subtrees each append completes, then the size (the documented contract)', () => {
    const store = new RecordingStore();
    const log = new MerkleLog(store);
    const expected: StoreCall[] = [];
    for (let n = 0; n < 40; n++) {
      log.append(new Uint8Array([n]));
      expected.push(['put', 0, n]);
      // Trailing 1 bits of n: the subtrees leaf n completes.
      for (let k = 1; Math.floor(n / 2 ** (k - 1)) % 2 === 1; k++) expected.push(['put', k, Math.floor(n / 2 ** k)]);
      expected.push(['setSize', n + 1]);
    }
    expect(store.calls).toEqual(expected);
    // Every stored node is the MTH of its aligned leaf range.
    const leaves = Array.from({ length: 40 }, (_, n) => new Uint8Array([n]));
    for (const [, level, index] of store.calls.filter((c): c is ['put', number, number] => c[0] === 'put')) {
      const width = 2 ** level;
      expect(hex(store.get(level, index) as Uint8Array)).toBe(
        hex(merkleRoot(leaves.slice(index * width, (index + 1) * width))),
      );
    }
  });

  it('computes roots and proofs at past sizes that match the tree as it was', () => {
    const leaves = syntheticLeaves(100, 3);
    const log = buildLog(leaves);
    const early = buildLog(leaves.slice(0, 37));
    expect(hex(log.root(37))).toBe(hex(early.root()));
    expect(log.inclusionProof(20, 37).map(hex)).toEqual(early.inclusionProof(20).map(hex));
    expect(log.consistencyProof(10, 37).map(hex)).toEqual(early.consistencyProof(10).map(hex));
  });

  it('rejects sizes and indices outside the log with a RangeError', () => {
    const log = buildLog(syntheticLeaves(5, 1));
    expect(() => log.root(6)).toThrow(RangeError);
    expect(() => log.root(-1)).toThrow(RangeError);
    expect(() => log.root(2.5)).toThrow(RangeError);
    expect(() => log.inclusionProof(5, 5)).toThrow(RangeError);
    expect(() => log.inclusionProof(0, 0)).toThrow(RangeError);
    expect(() => log.inclusionProof(0, 6)).toThrow(RangeError);
    expect(() => log.consistencyProof(4, 3)).toThrow(RangeError);
    expect(() => log.consistencyProof(1, 6)).toThrow(RangeError);
    expect(() => log.leafHash(5)).toThrow(RangeError);
  });

  it('keeps no state of its own: a rolled-back append leaves the log as it was', () => {
    const store = new SnapshotStore();
    const log = new MerkleLog(store);
    for (let i = 0; i < 3; i++) store.transaction(() => log.append(new Uint8Array([i])));
    const rootBefore = hex(log.root());
    // The leaf's record insert fails after the append, inside the same transaction.
    expect(() =>
      store.transaction(() => {
        log.append(new Uint8Array([99]));
        throw new Error('record insert failed');
      }),
    ).toThrow('record insert failed');
    expect(log.size).toBe(3);
    expect(hex(log.root())).toBe(rootBefore);
    // The next append reuses index 3 and the tree is what it would have been.
    store.transaction(() => log.append(new Uint8Array([3])));
    expect(hex(log.root())).toBe(hex(merkleRoot([0, 1, 2, 3].map((i) => new Uint8Array([i])))));
  });

  it('reports a store that lost a node, and an append that needs it writes nothing', () => {
    const healthy = buildLog(syntheticLeaves(3, 9));
    const nodes = new InMemoryMerkleNodeStore();
    // Copy leaves 0..2 and the size, but "lose" leaf 2 (needed to complete subtree (1, 1)).
    nodes.put(0, 0, healthy.leafHash(0));
    nodes.put(0, 1, healthy.leafHash(1));
    nodes.put(1, 0, rfc6962Hasher.hashChildren(healthy.leafHash(0), healthy.leafHash(1)));
    nodes.setSize(3);
    const log = new MerkleLog(nodes);
    expect(() => log.root()).toThrow(MerkleStoreCorruptError);
    expect(() => log.append(new Uint8Array([1]))).toThrow(MerkleStoreCorruptError);
    expect(nodes.get(0, 3)).toBeUndefined();
    expect(nodes.getSize()).toBe(3);
  });

  it('reports a stored size that is not a leaf count', () => {
    const store = new InMemoryMerkleNodeStore();
    store.setSize(-1);
    expect(() => new MerkleLog(store).size).toThrow(MerkleStoreCorruptError);
  });

  it('returns copies: callers mutating results cannot change the log', () => {
    const log = buildLog(syntheticLeaves(4, 2));
    const root = log.root();
    const rootHex = hex(root);
    root.fill(0);
    log.leafHash(0).fill(0);
    log.inclusionProof(0, 4).forEach((p) => p.fill(0));
    expect(hex(log.root())).toBe(rootHex);
    expect(verifyInclusion(log.leafHash(0), 0, 4, log.inclusionProof(0, 4), log.root())).toBe(true);
  });
});

describe('InMemoryMerkleNodeStore', () => {
  it('refuses to overwrite a node, like the SQLite primary key', () => {
    const store = new InMemoryMerkleNodeStore();
    store.put(0, 0, new Uint8Array(32));
    expect(() => store.put(0, 0, new Uint8Array(32).fill(1))).toThrow(/already written/);
  });

  it('keeps its own copy of what it is given, and hands out fresh copies', () => {
    const store = new InMemoryMerkleNodeStore();
    const hash = new Uint8Array(32).fill(5);
    store.put(2, 0, new Uint8Array(32).fill(4));
    store.put(2, 1, hash);
    hash.fill(0);
    expect(store.get(2, 1)?.[0]).toBe(5);
    store.get(2, 1)!.fill(9);
    expect(store.get(2, 1)).toEqual(new Uint8Array(32).fill(5));
    expect(store.get(2, 0)).toEqual(new Uint8Array(32).fill(4));
    expect(store.get(2, 2)).toBeUndefined();
    expect(store.get(9, 0)).toBeUndefined();
  });

  it('refuses a node written twice, out of order or of the wrong length', () => {
    const store = new InMemoryMerkleNodeStore();
    store.put(0, 0, new Uint8Array(32));
    expect(() => store.put(0, 0, new Uint8Array(32))).toThrow(/already written/);
    expect(() => store.put(0, 2, new Uint8Array(32))).toThrow(/out of order/);
    expect(() => store.put(0, 1, new Uint8Array(31))).toThrow(/32 bytes/);
    store.put(0, 1, new Uint8Array(32).fill(1));
    expect(store.get(0, 1)).toEqual(new Uint8Array(32).fill(1));
  });

  it('grows past its first allocation without losing nodes', () => {
    const store = new InMemoryMerkleNodeStore();
    for (let i = 0; i < 5_000; i++) store.put(0, i, new Uint8Array(32).fill(i % 251));
    for (let i = 0; i < 5_000; i += 499) expect(store.get(0, i)).toEqual(new Uint8Array(32).fill(i % 251));
  });
});

describe('perfectSubtrees', () => {
  it('splits a right-edge range into aligned perfect subtrees, largest first', () => {
    expect(perfectSubtrees(0, 13)).toEqual([
      { level: 3, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(perfectSubtrees(8, 13)).toEqual([
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(perfectSubtrees(16, 32)).toEqual([{ level: 4, index: 1 }]);
  });

  it('stays exact beyond 32 bits', () => {
    const start = 2 ** 40;
    expect(perfectSubtrees(start, start + 2 ** 33 + 1)).toEqual([
      { level: 33, index: 2 ** 7 },
      { level: 0, index: start + 2 ** 33 },
    ]);
  });

  it('refuses a range that is not a node of the tree', () => {
    expect(() => perfectSubtrees(3, 7)).toThrow(RangeError);
  });
});
