// MerkleFrontier: the right edge of a log, enough to append and to compute the
// root without reading stored nodes. It must write exactly what MerkleLog writes,
// and agree with the log's root at every size.
import { describe, expect, it } from 'vitest';
import {
  createCountingHasher,
  InMemoryMerkleNodeStore,
  MerkleFrontier,
  MerkleLog,
  MerkleStoreCorruptError,
  rfc6962Hasher,
  type MerkleNodeStore,
} from '../../anchor-queue';
import { hex, syntheticLeaves } from './helpers';

/** Records every put as level/index/hash, so an append's writes can be compared. */
function recordingStore(): { store: MerkleNodeStore; puts: string[] } {
  const inner = new InMemoryMerkleNodeStore();
  const puts: string[] = [];
  return {
    puts,
    store: {
      get: (level, index) => inner.get(level, index),
      put: (level, index, hash) => {
        puts.push(`${level}/${index}/${hex(hash)}`);
        inner.put(level, index, hash);
      },
      getSize: () => inner.getSize(),
      setSize: (size) => inner.setSize(size),
    },
  };
}

describe('MerkleFrontier', () => {
  it('appends exactly the nodes MerkleLog puts, in the same order, and keeps the same root', () => {
    const { store, puts } = recordingStore();
    const log = new MerkleLog(store);
    const frontier = MerkleFrontier.empty();
    expect(hex(frontier.root(rfc6962Hasher))).toBe(hex(log.root()));
    expect(frontier.last()).toBeUndefined();
    for (const leaf of syntheticLeaves(300, 4)) {
      const leafHash = rfc6962Hasher.hashLeaf(leaf);
      const before = puts.length;
      const index = log.appendLeafHash(leafHash);
      expect(frontier.size).toBe(index);
      const nodes = frontier.append(leafHash, rfc6962Hasher);
      expect(nodes.map((n) => `${n.level}/${n.index}/${hex(n.hash)}`)).toEqual(puts.slice(before));
      expect(frontier.size).toBe(index + 1);
      expect(hex(frontier.root(rfc6962Hasher))).toBe(hex(log.root()));
      // The last node is the top of what the leaf completed: the one the store wrote last.
      const top = nodes[nodes.length - 1]!;
      expect(frontier.last()).toEqual({ level: top.level, index: top.index, hash: top.hash });
    }
  });

  it('loads from a log at any size and then continues as the log would', () => {
    const leaves = syntheticLeaves(130, 8);
    const log = new MerkleLog(new InMemoryMerkleNodeStore());
    for (const leaf of leaves.slice(0, 100)) log.append(leaf);
    for (const size of [0, 1, 2, 3, 7, 8, 63, 64, 65, 99, 100]) {
      const frontier = log.frontier(size);
      expect(frontier.size).toBe(size);
      expect(hex(frontier.root(rfc6962Hasher))).toBe(hex(log.root(size)));
    }
    const frontier = log.frontier();
    for (const leaf of leaves.slice(100)) {
      frontier.append(rfc6962Hasher.hashLeaf(leaf), rfc6962Hasher);
      log.append(leaf);
      expect(hex(frontier.root(rfc6962Hasher))).toBe(hex(log.root()));
    }
  });

  it('reads one stored node per perfect subtree to load, and hashes once per completed subtree to append', () => {
    const store = new InMemoryMerkleNodeStore();
    const log = new MerkleLog(store);
    for (const leaf of syntheticLeaves(1_000, 2)) log.append(leaf);
    const reads: string[] = [];
    const loaded = MerkleFrontier.load(1_000, (level, index) => {
      reads.push(`${level}/${index}`);
      return store.get(level, index) as Uint8Array;
    });
    // 1000 = 0b1111101000: leaves 0-511, 512-767, 768-895, 896-959, 960-991, 992-999.
    expect(reads.sort()).toEqual(['3/124', '5/30', '6/14', '7/6', '8/2', '9/0'].sort());
    expect(hex(loaded.root(rfc6962Hasher))).toBe(hex(log.root()));
    const hasher = createCountingHasher();
    const frontier = log.frontier();
    // Leaf 1000 = 0b1111101000 completes nothing; leaf 1001 one subtree; 1003 (0b...1011) two.
    expect(frontier.append(new Uint8Array(32).fill(1), hasher)).toHaveLength(1);
    expect(frontier.append(new Uint8Array(32).fill(2), hasher)).toHaveLength(2);
    expect(hasher.count).toBe(1);
    frontier.append(new Uint8Array(32).fill(3), hasher);
    expect(frontier.append(new Uint8Array(32).fill(4), hasher)).toHaveLength(3);
    expect(hasher.count).toBe(3);
  });

  it('keeps its own copy of a leaf hash the caller reuses', () => {
    const frontier = MerkleFrontier.empty();
    const buffer = new Uint8Array(32).fill(7);
    frontier.append(buffer, rfc6962Hasher);
    const root = hex(frontier.root(rfc6962Hasher));
    buffer.fill(8);
    expect(hex(frontier.root(rfc6962Hasher))).toBe(root);
    expect(root).toBe(hex(new Uint8Array(32).fill(7)));
  });

  it('refuses bad input: a non-hash leaf, a bad size, a node that is not 32 bytes', () => {
    expect(() => MerkleFrontier.empty().append(new Uint8Array(31), rfc6962Hasher)).toThrow(TypeError);
    expect(() => MerkleFrontier.load(-1, () => new Uint8Array(32))).toThrow(RangeError);
    expect(() => MerkleFrontier.load(3, () => new Uint8Array(31))).toThrow(TypeError);
    const log = new MerkleLog(new InMemoryMerkleNodeStore());
    expect(() => log.frontier(1)).toThrow(RangeError);
    const nodes = new InMemoryMerkleNodeStore();
    nodes.setSize(2); // claims two leaves, stores none
    expect(() => new MerkleLog(nodes).frontier()).toThrow(MerkleStoreCorruptError);
  });
});
