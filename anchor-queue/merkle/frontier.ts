// The right edge of a log: the hashes of the perfect subtrees its leaves split into
// (one per set bit of the size, RFC 6962's compact range [0, size)). It is all an
// append needs: the siblings a new leaf folds with are exactly its lowest entries,
// so an appender that keeps it in memory computes the nodes to store without
// reading any. Whoever keeps one must make sure it still describes the store (see
// main/store/anchor-log/record-leaf.ts); MerkleLog itself keeps no state.
import { copyHash, isHash } from './bytes';
import type { MerkleHasher } from './hasher';
import { isTreeSize } from './tree-math';

/** A node an append writes: put(level, index, hash) in the MerkleNodeStore's order. */
export interface FrontierNode {
  level: number;
  index: number;
  hash: Uint8Array;
}

export class MerkleFrontier {
  #size: number;
  /** hashes[level]: the subtree of 2^level leaves at the edge, present iff bit `level` of size is 1. */
  readonly #hashes: (Uint8Array | undefined)[];

  private constructor(size: number, hashes: (Uint8Array | undefined)[]) {
    this.#size = size;
    this.#hashes = hashes;
  }

  static empty(): MerkleFrontier {
    return new MerkleFrontier(0, []);
  }

  /**
   * The frontier of a log of `size` leaves, from its stored nodes: `node(level, index)`
   * is asked for each perfect subtree of [0, size), at most log2(size) + 1 of them.
   */
  static load(size: number, node: (level: number, index: number) => Uint8Array): MerkleFrontier {
    if (!isTreeSize(size)) throw new RangeError(`a frontier's size is a leaf count, got ${String(size)}`);
    const hashes: (Uint8Array | undefined)[] = [];
    // Bit `level` of size set: the subtree at that level starts where the higher bits end.
    let rest = size;
    let width = 1;
    for (let level = 0; rest > 0; level++) {
      if (rest % 2 === 1) {
        const start = size - (size % (2 * width));
        const hash = node(level, start / width);
        if (!isHash(hash)) throw new TypeError(`frontier node (${level}, ${start / width}) is not a 32-byte hash`);
        hashes[level] = copyHash(hash);
      }
      rest = (rest - (rest % 2)) / 2;
      width *= 2;
    }
    return new MerkleFrontier(size, hashes);
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Appends a leaf hash and returns the nodes the store must now hold, in the order
   * MerkleLog.appendLeafHash puts them: (0, n, leafHash), then every subtree the leaf
   * completes, lowest first. The last one is the top of what the leaf completed.
   * The frontier keeps some of these arrays: do not modify them.
   */
  append(leafHash: Uint8Array, hasher: MerkleHasher): FrontierNode[] {
    if (!isHash(leafHash)) throw new TypeError('a leaf hash is exactly 32 bytes');
    const index = this.#size;
    if (index + 1 > Number.MAX_SAFE_INTEGER) throw new RangeError('the log is full (2^53 - 1 leaves)');
    // A copy: the frontier keeps it, and the caller may reuse its buffer.
    let hash = copyHash(leafHash);
    const nodes: FrontierNode[] = [{ level: 0, index, hash }];
    let level = 0;
    let position = index;
    while (position % 2 === 1) {
      const sibling = this.#hashes[level] as Uint8Array;
      this.#hashes[level] = undefined;
      hash = hasher.hashChildren(sibling, hash);
      level++;
      position = (position - 1) / 2;
      nodes.push({ level, index: position, hash });
    }
    this.#hashes[level] = hash;
    this.#size = index + 1;
    return nodes;
  }

  /** The top node completed by the last leaf (the store's most recent put); undefined when empty. */
  last(): FrontierNode | undefined {
    if (this.#size === 0) return undefined;
    let level = 0;
    while (!this.#hashes[level]) level++;
    const width = 2 ** level;
    return { level, index: (this.#size - width) / width, hash: this.#hashes[level] as Uint8Array };
  }

  /** The root at this size (the fold of the edge from the right); the empty root at 0. */
  root(hasher: MerkleHasher): Uint8Array {
    let root: Uint8Array | undefined;
    for (let level = 0; level < this.#hashes.length; level++) {
      const hash = this.#hashes[level];
      if (hash) root = root ? hasher.hashChildren(hash, root) : hash;
    }
    return root ? copyHash(root) : hasher.emptyRoot();
  }
}
