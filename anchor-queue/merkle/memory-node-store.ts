// A MerkleNodeStore in memory: for tests, tools and offline verification.
// It follows the same rules as the SQLite store (see node-store.ts).
import type { MerkleNodeStore } from './node-store';

export class InMemoryMerkleNodeStore implements MerkleNodeStore {
  // levels[level][index]; each level only grows at its end, so arrays stay dense.
  private readonly levels: Uint8Array[][] = [];
  private size = 0;

  get(level: number, index: number): Uint8Array | undefined {
    return this.levels[level]?.[index];
  }

  put(level: number, index: number, hash: Uint8Array): void {
    let row = this.levels[level];
    if (!row) {
      row = [];
      this.levels[level] = row;
    }
    if (row[index] !== undefined) throw new Error(`Merkle node (${level}, ${index}) is already written`);
    // Keep a private copy so a caller reusing its buffer cannot rewrite history.
    row[index] = Uint8Array.from(hash);
  }

  getSize(): number {
    return this.size;
  }

  setSize(size: number): void {
    this.size = size;
  }
}
