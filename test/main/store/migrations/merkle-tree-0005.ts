// The node store of migration 0005's layout (table merkle_tree, one row per node keyed
// by completing leaf · 64 + level), as the host used it until migration 0007: the
// 0005 test reads the tree it carried over, and the 0007 test writes trees to carry on.
import type { MerkleNodeStore } from '../../../../anchor-queue';
import type { Db } from '../../../../main/store/database';

export const merkleTreeKey = (level: number, index: number): number => ((index + 1) * 2 ** level - 1) * 64 + level;

export class MerkleTree0005Store implements MerkleNodeStore {
  constructor(private readonly db: Db) {}
  get(level: number, index: number): Uint8Array | undefined {
    const row = this.db
      .prepare('SELECT hash FROM merkle_tree WHERE node = ?')
      .pluck()
      .get(merkleTreeKey(level, index)) as Buffer | undefined;
    return row ? new Uint8Array(row) : undefined;
  }
  put(level: number, index: number, hash: Uint8Array): void {
    this.db.prepare('INSERT INTO merkle_tree (node, hash) VALUES (?, ?)').run(merkleTreeKey(level, index), hash);
  }
  getSize(): number {
    const last = this.db.prepare('SELECT max(node) FROM merkle_tree').pluck().get() as number | null;
    return last === null ? 0 : Math.floor(last / 64) + 1;
  }
  setSize(): void {}
}
