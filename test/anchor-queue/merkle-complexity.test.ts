// Hash and store-read counts prove the log is O(log n) per operation: on a real
// 16k-leaf log, and on a simulated log of 2^44 leaves, where anything O(n) would
// never finish.
import { describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  createCountingHasher,
  InMemoryMerkleNodeStore,
  MerkleLog,
  rfc6962Hasher,
  verifyConsistency,
  verifyInclusion,
  type MerkleNodeStore,
} from '../../anchor-queue';
import { inclusionShape } from './helpers';

const log2 = (n: number) => Math.ceil(Math.log2(n));

/** Counts reads, to show proofs touch O(log n) stored nodes. */
class CountingStore implements MerkleNodeStore {
  reads = 0;
  constructor(private readonly inner: MerkleNodeStore) {}
  get(level: number, index: number) {
    this.reads++;
    return this.inner.get(level, index);
  }
  put(level: number, index: number, hash: Uint8Array) {
    this.inner.put(level, index, hash);
  }
  getSize() {
    return this.inner.getSize();
  }
  setSize(size: number) {
    this.inner.setSize(size);
  }
}

/**
 * Pretends to hold `size` leaves without storing them. All leaves are the same
 * except a few "distinct" ones, so every node is either a uniform subtree (one
 * hash per level) or lies above a distinct leaf: the tree is a real, consistent
 * RFC 6962 tree computed in O(levels × distinct leaves), with its own uncounted
 * hasher.
 */
class SimulatedHugeStore implements MerkleNodeStore {
  private readonly memo = new Map<string, Uint8Array>();
  private readonly uniform: Uint8Array[] = [sha256(new TextEncoder().encode('uniform leaf'))];
  constructor(
    private size: number,
    private readonly distinct: readonly number[],
  ) {}
  get(level: number, index: number): Uint8Array | undefined {
    const key = `${level}/${index}`;
    const known = this.memo.get(key);
    if (known) return known.slice();
    const width = 2 ** level;
    if ((index + 1) * width > this.size) return undefined;
    const start = index * width;
    let hash: Uint8Array;
    if (!this.distinct.some((leaf) => leaf >= start && leaf < start + width)) hash = this.uniformNode(level);
    else if (level === 0) hash = sha256(new TextEncoder().encode(`distinct leaf ${index}`));
    else hash = rfc6962Hasher.hashChildren(this.get(level - 1, 2 * index)!, this.get(level - 1, 2 * index + 1)!);
    this.memo.set(key, hash);
    return hash.slice();
  }
  put(level: number, index: number, hash: Uint8Array) {
    this.memo.set(`${level}/${index}`, hash);
  }
  getSize() {
    return this.size;
  }
  setSize(size: number) {
    this.size = size;
  }
  private uniformNode(level: number): Uint8Array {
    while (this.uniform.length <= level) {
      const below = this.uniform[this.uniform.length - 1]!;
      this.uniform.push(rfc6962Hasher.hashChildren(below, below));
    }
    return this.uniform[level]!;
  }
}

describe('O(log n) hash operations', () => {
  it('append costs 1 + (trailing 1 bits of the index) hashes, about 2 on average', () => {
    const hasher = createCountingHasher();
    const log = new MerkleLog(new InMemoryMerkleNodeStore(), hasher);
    const n = 2 ** 14;
    let worst = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      hasher.reset();
      log.append(new Uint8Array([i & 0xff, i >> 8]));
      let trailingOnes = 0;
      for (let rest = i; rest % 2 === 1; rest = (rest - 1) / 2) trailingOnes++;
      expect(hasher.count).toBe(1 + trailingOnes);
      worst = Math.max(worst, hasher.count);
      total += hasher.count;
    }
    // Leaf 2^14 - 1 completes 14 subtrees (its 14 trailing 1 bits): 1 + log2(n) hashes.
    expect(worst).toBe(1 + 14);
    expect(total).toBeLessThan(2 * n);
  });

  it('root, inclusion and consistency proofs cost at most log2(n) hashes and 2·log2(n) reads', () => {
    const hasher = createCountingHasher();
    const store = new CountingStore(new InMemoryMerkleNodeStore());
    const log = new MerkleLog(store, hasher);
    for (let i = 0; i < 16_000; i++) log.append(new Uint8Array([i & 0xff, i >> 8]));
    for (const size of [1, 2, 3, 1000, 4097, 12_345, 16_000]) {
      const measure = (work: () => unknown) => {
        hasher.reset();
        store.reads = 0;
        work();
        return { hashes: hasher.count, reads: store.reads };
      };
      const bound = Math.max(1, log2(size));
      const root = measure(() => log.root(size));
      expect(root.hashes).toBeLessThanOrEqual(bound);
      for (const index of [0, Math.floor(size / 3), size - 1]) {
        const cost = measure(() => log.inclusionProof(index, size));
        expect(cost.hashes).toBeLessThanOrEqual(bound);
        expect(cost.reads).toBeLessThanOrEqual(2 * bound);
      }
      for (const size1 of [1, Math.floor(size / 2), size - 1]) {
        if (size1 < 1) continue;
        const cost = measure(() => log.consistencyProof(size1, size));
        expect(cost.hashes).toBeLessThanOrEqual(bound);
        expect(cost.reads).toBeLessThanOrEqual(2 * bound + 1);
      }
    }
  });

  it('a log of 2^44 + 12,345 leaves: proofs take ~44 hashes and verify, sizes beyond 32 bits included', () => {
    const size = 2 ** 44 + 12_345;
    const indices = [0, 2 ** 32 + 7, 2 ** 43 + 3, size - 1];
    const sizes1 = [1, 2 ** 32 + 1, 2 ** 40 - 1, size - 1];
    const distinct = [...indices, ...sizes1.flatMap((s) => [s - 1, s, s + 1])];
    const hasher = createCountingHasher();
    const store = new CountingStore(new SimulatedHugeStore(size, distinct));
    const log = new MerkleLog(store, hasher);

    hasher.reset();
    const root = log.root();
    expect(hasher.count).toBeLessThanOrEqual(45);

    for (const index of indices) {
      hasher.reset();
      store.reads = 0;
      const proof = log.inclusionProof(index);
      expect(hasher.count).toBeLessThanOrEqual(45);
      expect(store.reads).toBeLessThanOrEqual(90);
      expect(proof.length).toBe(inclusionShape(index, size).length);
      expect(verifyInclusion(log.leafHash(index), index, size, proof, root)).toBe(true);
      expect(verifyInclusion(log.leafHash(index), index + 1, size, proof, root)).toBe(false);
    }

    for (const size1 of sizes1) {
      hasher.reset();
      store.reads = 0;
      const proof = log.consistencyProof(size1);
      expect(hasher.count).toBeLessThanOrEqual(45);
      expect(store.reads).toBeLessThanOrEqual(91);
      expect(verifyConsistency(size1, size, proof, log.root(size1), root)).toBe(true);
      expect(verifyConsistency(size1 + 1, size, proof, log.root(size1 + 1), root)).toBe(false);
    }
  });

  it('appending the 2^45-th leaf completes 45 subtrees: 46 hashes, not 2^45', () => {
    const size = 2 ** 45 - 1;
    const hasher = createCountingHasher();
    const store = new SimulatedHugeStore(size, [0, size - 1]);
    const log = new MerkleLog(store, hasher);
    hasher.reset();
    const { index } = log.append(new Uint8Array([1, 2, 3]));
    expect(index).toBe(size);
    expect(hasher.count).toBe(46);
    expect(log.size).toBe(2 ** 45);
    // The new top node (level 45) is written, and the tree is now perfect: root = that node.
    expect(store.get(45, 0)).toBeDefined();
    hasher.reset();
    expect(log.root()).toEqual(store.get(45, 0));
    expect(hasher.count).toBe(0);
    // And it is the hash of the two halves: the append combined the stored nodes correctly.
    expect(store.get(45, 0)).toEqual(rfc6962Hasher.hashChildren(store.get(44, 0)!, store.get(44, 1)!));
  });
});
