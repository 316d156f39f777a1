// The Merkle log's node store in the encrypted database (the MerkleNodeStore
// contract of anchor-queue/merkle/node-store.ts): plain INSERTs, so writing a node
// twice fails loudly; the caller's transaction makes each append atomic with its record.
import type { MerkleNodeStore } from '../../../anchor-queue';
import type { Db } from '../database';
import { stmt } from '../statements';

export class SqliteMerkleNodeStore implements MerkleNodeStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }
  get(level: number, index: number): Uint8Array | undefined {
    const row = stmt<[number, number], { hash: Buffer }>(
      this.#db,
      'SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?',
    ).get(level, index);
    return row ? new Uint8Array(row.hash) : undefined;
  }
  put(level: number, index: number, hash: Uint8Array): void {
    stmt(this.#db, 'INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)').run(level, index, hash);
  }
  // The size is the number of level-0 nodes: read from the primary key's last entry
  // rather than kept in a row of its own, which would add a page to every commit.
  getSize(): number {
    const row = stmt<[], { last: number | null }>(
      this.#db,
      'SELECT max(idx) AS last FROM merkle_nodes WHERE level = 0',
    ).get();
    return row?.last === null || row?.last === undefined ? 0 : row.last + 1;
  }
  setSize(size: number): void {
    if (this.getSize() !== size) throw new Error(`Merkle log size ${this.getSize()} after an append, expected ${size}`);
  }
}
