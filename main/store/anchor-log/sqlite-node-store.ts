// The Merkle log's node store in the encrypted database (the MerkleNodeStore
// contract of anchor-queue/merkle/node-store.ts), table merkle_log (migration 0007):
// ONE row per append. The row of leaf m holds, concatenated, the nodes that leaf's
// append completes: (0, m), then (k, floor(m / 2^k)) for k = 1..t, where t is the
// number of trailing 1 bits of m; 32 bytes each. So node (level, index) is in the row
// of its completing leaf (index + 1) · 2^level − 1, at byte 32 · level.
//
// An append is one INSERT (a node per row was 1 + t of them), rows only grow at the
// end of the table, and each row must follow the row of the previous leaf (the
// prev_leaf foreign key): the log has no gaps. Plain INSERTs, so writing a leaf twice
// fails loudly; the caller's transaction makes each append atomic with its record.
import type { MerkleNodeStore } from '../../../anchor-queue';
import type { Db } from '../database';
import { stmt } from '../statements';

const HASH = 32;

/** The leaf whose append completes node (level, index); undefined beyond exact integers. */
function completingLeaf(level: number, index: number): number | undefined {
  const leaf = (index + 1) * 2 ** level - 1;
  return Number.isSafeInteger(leaf) && leaf >= 0 ? leaf : undefined;
}

/**
 * Writes leaf `leaf`'s row: `nodes` is its completed nodes' hashes, level 0 first.
 * For SqliteMerkleNodeStore and appendRecordLeaf only: record-leaf.ts's cached edge
 * sees other connections and this store, not other writers on the same connection.
 */
export function insertLeafRow(db: Db, leaf: number, nodes: Uint8Array): void {
  stmt(db, 'INSERT INTO merkle_log (leaf, nodes) VALUES (?, ?)').run(leaf, nodes);
}

// Rows written on each connection through SqliteMerkleNodeStore (any MerkleLog
// append), so that record-leaf.ts's cached edge knows when someone else on the same
// connection appended (other connections show in PRAGMA data_version).
const storeWrites = new WeakMap<Db, number>();

/** How many appends SqliteMerkleNodeStore has written on this connection. */
export function nodeStoreWrites(db: Db): number {
  return storeWrites.get(db) ?? 0;
}

export class SqliteMerkleNodeStore implements MerkleNodeStore {
  readonly #db: Db;
  /** The append being put: its leaf and the hashes put so far (level = position). */
  #pending: { leaf: number; hashes: Uint8Array[] } | null = null;

  constructor(db: Db) {
    this.#db = db;
  }

  get(level: number, index: number): Uint8Array | undefined {
    const leaf = completingLeaf(level, index);
    if (leaf === undefined) return undefined;
    const hash = stmt<[number, number], Buffer | null>(
      this.#db,
      'SELECT substr(nodes, ?, 32) FROM merkle_log WHERE leaf = ?',
    )
      .pluck()
      .get(HASH * level + 1, leaf);
    // A level the row does not hold reads as an empty blob.
    return hash && hash.length === HASH ? new Uint8Array(hash.buffer, hash.byteOffset, HASH) : undefined;
  }

  // MerkleLog puts an append's nodes in order, (0, n) first, then calls setSize(n + 1):
  // they are collected here and written as the row of leaf n.
  put(level: number, index: number, hash: Uint8Array): void {
    if (!(hash instanceof Uint8Array) || hash.length !== HASH) throw new TypeError('a Merkle node is exactly 32 bytes');
    if (level === 0) {
      this.#pending = { leaf: index, hashes: [Uint8Array.from(hash)] };
      return;
    }
    const pending = this.#pending;
    if (!pending || completingLeaf(level, index) !== pending.leaf || level !== pending.hashes.length) {
      this.#pending = null;
      throw new Error(`Merkle node (${level}, ${index}) is not the next node of the append being written`);
    }
    pending.hashes.push(Uint8Array.from(hash));
  }

  // The size is one more than the last row's leaf: read from the primary key's last
  // entry rather than kept in a row of its own, which would add a page to every commit.
  getSize(): number {
    const last = stmt<[], number | null>(this.#db, 'SELECT max(leaf) FROM merkle_log').pluck().get();
    return last === null || last === undefined ? 0 : last + 1;
  }

  setSize(size: number): void {
    const pending = this.#pending;
    this.#pending = null;
    if (!pending || size !== pending.leaf + 1)
      throw new Error(`Merkle size ${size} does not end the append being written`);
    const nodes = new Uint8Array(HASH * pending.hashes.length);
    pending.hashes.forEach((hash, level) => nodes.set(hash, HASH * level));
    insertLeafRow(this.#db, pending.leaf, nodes);
    storeWrites.set(this.#db, nodeStoreWrites(this.#db) + 1);
  }
}
