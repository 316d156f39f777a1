// Where a MerkleLog keeps its state. Synchronous on purpose: the production store
// is a better-sqlite3 table written inside the same transaction as the record the
// leaf stands for, and better-sqlite3 transactions cannot span an `await`.

/**
 * Storage for an append-only RFC 6962 log, as the hashes of its complete aligned
 * subtrees ("perfect subtrees") plus the leaf count.
 *
 * WHAT A NODE IS
 * Node (level, index) is the Merkle Tree Hash of the 2^level leaves
 * [index · 2^level, (index + 1) · 2^level). Level 0 holds the leaf hashes
 * SHA-256(0x00 ‖ leaf data); level L + 1 index i is SHA-256(0x01 ‖ (L, 2i) ‖ (L, 2i + 1)).
 * A node exists once all its leaves are appended and never changes after that, so
 * the root and every proof at ANY past size can be computed from stored nodes.
 * level is 0..53 and index 0..2^53 - 1 (both fit an SQLite INTEGER); hashes are
 * exactly 32 bytes.
 *
 * WHAT ONE APPEND WRITES
 * Appending the leaf at index n (n = getSize() before the append) calls, in order:
 *   put(0, n, leafHash);
 *   put(k, floor(n / 2^k), hash) for k = 1 .. t, where t = the number of trailing
 *     1 bits of n (the subtrees this leaf completes);
 *   setSize(n + 1).
 * That is 1 + t ≤ 1 + log2(n + 1) puts. All reads (get) happen before the first
 * write, so an append that fails on a missing node writes nothing.
 *
 * ATOMICITY (the caller's job)
 * The writes of one append MUST commit atomically with the record the leaf stands
 * for: run the record insert and MerkleLog.append in one SQLite transaction, so a
 * crash leaves either both or neither. The log never opens or commits transactions
 * and keeps no state of its own (it re-reads getSize() on every call), so a rolled
 * back transaction leaves the log exactly as it was.
 *
 * IMPLEMENTER RULES
 * - get returns the 32 bytes stored by put, or undefined if (level, index) was never
 *   written, as a fresh array each call: the log hands nodes out in proofs without
 *   copying them again, and whoever receives one may keep or change it.
 * - put of an existing (level, index) is a bug: throw (in SQLite: a primary key
 *   with a plain INSERT, never INSERT OR REPLACE). Nodes are never updated or
 *   deleted. A store may collect an append's puts and write them at setSize (one
 *   row per append): then the duplicate fails there.
 * - getSize returns the committed leaf count, 0 for a new log; setSize is only
 *   ever called with the current size + 1.
 * - A database holding several logs keys these rows by log id as well.
 */
export interface MerkleNodeStore {
  get(level: number, index: number): Uint8Array | undefined;
  put(level: number, index: number, hash: Uint8Array): void;
  getSize(): number;
  setSize(size: number): void;
}
