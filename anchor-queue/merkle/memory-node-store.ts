// A MerkleNodeStore in memory: for tests, tools, offline verification and the
// benchmark of the log itself. It follows the same rules as the SQLite store (see
// node-store.ts).
//
// Each level is one growable byte array rather than one small array per node: a
// log of a million leaves then holds a few large objects instead of two million
// small ones, which the garbage collector would otherwise keep copying.
import { HASH_LENGTH } from './bytes';
import type { MerkleNodeStore } from './node-store';

interface Level {
  bytes: Uint8Array;
  /** Nodes written so far; a level only grows at its end. */
  count: number;
}

const INITIAL_NODES = 1024;

export class InMemoryMerkleNodeStore implements MerkleNodeStore {
  private readonly levels: Level[] = [];
  private size = 0;

  /** A copy of the stored node (the contract: a fresh array the caller may keep). */
  get(level: number, index: number): Uint8Array | undefined {
    const row = this.levels[level];
    if (!row || !(index >= 0 && index < row.count)) return undefined;
    const offset = index * HASH_LENGTH;
    return row.bytes.slice(offset, offset + HASH_LENGTH);
  }

  put(level: number, index: number, hash: Uint8Array): void {
    if (hash.length !== HASH_LENGTH) throw new TypeError('a Merkle node is exactly 32 bytes');
    let row = this.levels[level];
    if (!row) {
      for (let l = this.levels.length; l <= level; l++) {
        this.levels[l] ??= { bytes: new Uint8Array(INITIAL_NODES * HASH_LENGTH), count: 0 };
      }
      row = this.levels[level] as Level;
    }
    if (index < row.count) throw new Error(`Merkle node (${level}, ${index}) is already written`);
    if (index !== row.count) {
      throw new Error(`Merkle node (${level}, ${index}) written out of order: level ${level} has ${row.count} nodes`);
    }
    if ((index + 1) * HASH_LENGTH > row.bytes.length) {
      const grown = new Uint8Array(row.bytes.length * 2);
      grown.set(row.bytes);
      row.bytes = grown;
    }
    // Copied in: a caller reusing its buffer cannot rewrite history.
    row.bytes.set(hash, index * HASH_LENGTH);
    row.count++;
  }

  getSize(): number {
    return this.size;
  }

  setSize(size: number): void {
    this.size = size;
  }
}
