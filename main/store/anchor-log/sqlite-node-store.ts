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
    const row = stmt<[number, number], { hash: Buffer }>(this.#db, 'SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?').get(level, index);
    return row ? new Uint8Array(row.hash) : undefined;
  }
  put(level: number, index: number, hash: Uint8Array): void {
    stmt(this.#db, 'INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)').run(level, index, hash);
  }
  getSize(): number {
    return stmt<[], { size: number }>(this.#db, 'SELECT size FROM merkle_state WHERE id = 1').get()!.size;
  }
  setSize(size: number): void {
    stmt(this.#db, 'UPDATE merkle_state SET size = ? WHERE id = 1').run(size);
  }
}
