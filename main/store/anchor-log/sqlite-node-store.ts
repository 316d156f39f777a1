// The Merkle log's node store in the encrypted database (the MerkleNodeStore
// contract of anchor-queue/merkle/node-store.ts): plain INSERTs, so writing a node
// twice fails loudly; the caller's transaction makes each append atomic with its record.
import type { MerkleNodeStore } from '../../../anchor-queue';
import type { Db } from '../database';
import { stmt } from '../statements';

/** Room for levels 0..63 under one completing leaf. */
const LEVEL_SLOTS = 64;
/** Keys stay exact JavaScript integers up to this many leaves (2^47, ~1.4 × 10^14). */
export const MAX_TREE_LEAVES = 2 ** 47;

/**
 * The row key of node (level, index): the leaf whose append completes the node,
 * times 64, plus the level. Leaf m = (index + 1) · 2^level − 1 writes (0, m) and
 * every node it completes, so one append writes keys m·64 .. m·64 + t and the next
 * append writes larger keys: all rows of a commit go to the table's last page
 * (keyed by (level, idx), each level was a page of its own).
 */
export function nodeKey(level: number, index: number): number {
  const completingLeaf = (index + 1) * 2 ** level - 1;
  if (!Number.isSafeInteger(completingLeaf) || completingLeaf >= MAX_TREE_LEAVES) {
    throw new RangeError(`Merkle node (${level}, ${index}) is beyond the log's ${MAX_TREE_LEAVES} leaves`);
  }
  return completingLeaf * LEVEL_SLOTS + level;
}

export class SqliteMerkleNodeStore implements MerkleNodeStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }
  get(level: number, index: number): Uint8Array | undefined {
    const hash = stmt<[number], Buffer>(this.#db, 'SELECT hash FROM merkle_tree WHERE node = ?')
      .pluck()
      .get(nodeKey(level, index));
    return hash ? new Uint8Array(hash.buffer, hash.byteOffset, hash.length) : undefined;
  }
  put(level: number, index: number, hash: Uint8Array): void {
    stmt(this.#db, 'INSERT INTO merkle_tree (node, hash) VALUES (?, ?)').run(nodeKey(level, index), hash);
  }
  // The size is one more than the leaf that wrote the largest key: read from the
  // primary key's last entry rather than kept in a row of its own, which would add
  // a page to every commit.
  getSize(): number {
    const last = stmt<[], number | null>(this.#db, 'SELECT max(node) FROM merkle_tree').pluck().get();
    return last === null || last === undefined ? 0 : Math.floor(last / LEVEL_SLOTS) + 1;
  }
  // Nothing to write: the size follows from the keys put() just wrote, and a second
  // append of the same leaf already failed on the primary key.
  setSize(): void {}
}
