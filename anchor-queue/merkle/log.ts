// An append-only RFC 6962 log over a MerkleNodeStore. Every operation reads and
// hashes O(log n) stored subtree hashes; nothing ever rebuilds the tree.
import { copyHash, isHash } from './bytes';
import { rfc6962Hasher, type MerkleHasher } from './hasher';
import { MerkleFrontier } from './frontier';
import type { MerkleNodeStore } from './node-store';
import { halve, isOdd, isTreeSize, largestPowerOfTwoBelow, perfectSubtrees, type PerfectSubtree } from './tree-math';

/** The store lacks a node or size that its own history says must be there. */
export class MerkleStoreCorruptError extends Error {
  constructor(message: string) {
    super(`${message}: the Merkle node store is inconsistent; restore the database from a backup`);
    this.name = 'MerkleStoreCorruptError';
  }
}

export interface AppendedLeaf {
  /** 0-based position of the leaf in the log. */
  index: number;
  /** SHA-256(0x00 ‖ data): what the inclusion proof and the root commit to. */
  leafHash: Uint8Array;
}

export class MerkleLog {
  constructor(
    private readonly store: MerkleNodeStore,
    private readonly hasher: MerkleHasher = rfc6962Hasher,
  ) {}

  /** Number of leaves, read from the store every time (no cache to go stale on rollback). */
  get size(): number {
    const size = this.store.getSize();
    if (!isTreeSize(size)) throw new MerkleStoreCorruptError(`stored size ${String(size)} is not a leaf count`);
    return size;
  }

  /** Appends leaf DATA: hashes it as SHA-256(0x00 ‖ data) and appends that. */
  append(leafData: Uint8Array): AppendedLeaf {
    if (!(leafData instanceof Uint8Array)) throw new TypeError('leaf data must be a Uint8Array');
    // The hasher returns a fresh array, and stores keep copies of what they are
    // given, so the caller may have this one.
    const leafHash = this.hasher.hashLeaf(leafData);
    return { index: this.appendLeafHash(leafHash), leafHash };
  }

  /**
   * Appends a precomputed leaf hash and returns its index. Hashes once per subtree
   * the new leaf completes (the trailing 1 bits of its index): at most log2(n).
   */
  appendLeafHash(leafHash: Uint8Array): number {
    if (!isHash(leafHash)) throw new TypeError('a leaf hash is exactly 32 bytes');
    const index = this.size;
    if (index + 1 > Number.MAX_SAFE_INTEGER) throw new RangeError('the log is full (2^53 - 1 leaves)');

    // Read and hash everything before the first write, so a missing node aborts cleanly.
    let completed: Uint8Array[] | null = null;
    let hash = leafHash;
    let level = 0;
    let position = index;
    while (isOdd(position)) {
      hash = this.hasher.hashChildren(this.node(level, position - 1), hash);
      (completed ??= []).push(hash);
      level++;
      position = (position - 1) / 2;
    }
    this.store.put(0, index, leafHash);
    if (completed) {
      position = index;
      for (let k = 0; k < completed.length; k++) {
        position = (position - 1) / 2;
        this.store.put(k + 1, position, completed[k] as Uint8Array);
      }
    }
    this.store.setSize(index + 1);
    return index;
  }

  /**
   * The right edge of the log at `treeSize` (default: now), read from the store: the
   * state an appender can keep in memory to append without reading (MerkleFrontier).
   */
  frontier(treeSize: number = this.size): MerkleFrontier {
    this.checkTreeSize(treeSize);
    return MerkleFrontier.load(treeSize, (level, index) => this.node(level, index));
  }

  /** The leaf hash at `index`. */
  leafHash(index: number): Uint8Array {
    this.checkIndex(index, this.size);
    return this.node(0, index);
  }

  /** The root when the log had `treeSize` leaves (default: now). */
  root(treeSize: number = this.size): Uint8Array {
    this.checkTreeSize(treeSize);
    if (treeSize === 0) return this.hasher.emptyRoot();
    return this.rangeHash(0, treeSize);
  }

  /** RFC 9162 §2.1.3.1 PATH(index, D[treeSize]), leaf-side sibling first. */
  inclusionProof(index: number, treeSize: number = this.size): Uint8Array[] {
    this.checkTreeSize(treeSize);
    this.checkIndex(index, treeSize);
    return this.path(index, treeSize, null);
  }

  /**
   * The inclusion proofs of leaves `from` to `to - 1` at one tree size (receipts in
   * bulk, audits of a whole log). Siblings inside the tree are stored nodes and cost
   * nothing; only subtrees ending at the right edge of an unbalanced tree need
   * hashing, and there are at most log2(treeSize) of them: each is computed once here
   * and shared by every proof, instead of once per proof.
   */
  *inclusionProofs(treeSize: number = this.size, from = 0, to = treeSize): Generator<Uint8Array[]> {
    this.checkTreeSize(treeSize);
    if (!isTreeSize(from) || !isTreeSize(to) || from > to || to > treeSize) {
      throw new RangeError(`leaf range must lie within 0..${treeSize}, got ${String(from)}..${String(to)}`);
    }
    const rightEdge = new Map<number, Uint8Array>();
    for (let i = from; i < to; i++) yield this.path(i, treeSize, rightEdge);
  }

  // Bottom-up, leaf-side sibling first (the order RFC 9162 verification consumes).
  // At level L the path node is fn = index / 2^L and the tree's last node is
  // sn = (treeSize - 1) / 2^L. An odd fn has a left sibling, a complete stored
  // subtree. An even fn below sn has a right sibling: stored when complete, else the
  // subtree that ends at the tree's right edge. An even fn equal to sn has none.
  private path(index: number, treeSize: number, rightEdge: Map<number, Uint8Array> | null): Uint8Array[] {
    const proof: Uint8Array[] = [];
    let fn = index;
    let sn = treeSize - 1;
    let width = 1; // 2^level
    for (let level = 0; sn > 0; level++) {
      if (isOdd(fn)) {
        proof.push(this.node(level, fn - 1));
      } else if (fn < sn) {
        const start = (fn + 1) * width;
        if (start + width <= treeSize) proof.push(this.node(level, fn + 1));
        else if (rightEdge) proof.push(copyHash(this.rightEdgeHash(start, treeSize, rightEdge)));
        else proof.push(this.rangeHash(start, treeSize));
      }
      fn = halve(fn);
      sn = halve(sn);
      width *= 2;
    }
    return proof;
  }

  private rightEdgeHash(start: number, treeSize: number, memo: Map<number, Uint8Array>): Uint8Array {
    let hash = memo.get(start);
    if (!hash) {
      hash = this.rangeHash(start, treeSize);
      memo.set(start, hash);
    }
    return hash;
  }

  /** RFC 9162 §2.1.4.1 PROOF(size1, D[size2]); empty when size1 is 0 or size2. */
  consistencyProof(size1: number, size2: number = this.size): Uint8Array[] {
    this.checkTreeSize(size2);
    if (!isTreeSize(size1) || size1 > size2) {
      throw new RangeError(`consistency needs 0 ≤ size1 ≤ size2, got ${String(size1)} and ${size2}`);
    }
    if (size1 === 0 || size1 === size2) return [];
    // SUBPROOF(m, D[start:end], wholeOldTree) unrolled; m = size1 - start.
    const topDown: Uint8Array[] = [];
    let start = 0;
    let end = size2;
    let wholeOldTree = true;
    for (;;) {
      const m = size1 - start;
      if (m === end - start) {
        // The old tree's last subtree; its hash is implied when it is the old root.
        if (!wholeOldTree) topDown.push(this.rangeHash(start, end));
        break;
      }
      const middle = start + largestPowerOfTwoBelow(end - start);
      if (m <= middle - start) {
        topDown.push(this.rangeHash(middle, end));
        end = middle;
      } else {
        topDown.push(this.rangeHash(start, middle));
        start = middle;
        wholeOldTree = false;
      }
    }
    return topDown.reverse();
  }

  // MTH(D[start:end]) for a node of the tree: fold its perfect subtrees from the right.
  // Costs (number of pieces - 1) hashes, at most log2(end - start).
  private rangeHash(start: number, end: number): Uint8Array {
    const pieces: PerfectSubtree[] = perfectSubtrees(start, end);
    const hashes = pieces.map((piece) => this.node(piece.level, piece.index));
    let hash = hashes[hashes.length - 1] as Uint8Array;
    for (let i = hashes.length - 2; i >= 0; i--) hash = this.hasher.hashChildren(hashes[i] as Uint8Array, hash);
    // A single piece is the store's fresh array; a fold is the hasher's.
    return hash;
  }

  private node(level: number, index: number): Uint8Array {
    const hash = this.store.get(level, index);
    if (!isHash(hash)) throw new MerkleStoreCorruptError(`node (${level}, ${index}) is missing or not 32 bytes`);
    return hash;
  }

  private checkTreeSize(treeSize: number): void {
    const size = this.size;
    if (!isTreeSize(treeSize) || treeSize > size) {
      throw new RangeError(`tree size must be an integer from 0 to ${size}, got ${String(treeSize)}`);
    }
  }

  private checkIndex(index: number, treeSize: number): void {
    if (!isTreeSize(index) || index >= treeSize) {
      throw new RangeError(`leaf index must be an integer from 0 to ${treeSize - 1}, got ${String(index)}`);
    }
  }
}
