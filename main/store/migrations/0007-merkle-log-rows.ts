// One row per Merkle append instead of one row per node. Recording an entry appends
// two leaves (the entry and its audit record); with a node per row that was ~4
// INSERTs per committed entry, each a statement of its own, and it was most of what
// anchoring added to an entry's time. Now:
// - merkle_log has one row per leaf: the hashes of the nodes that leaf's append
//   completes, concatenated (32 bytes each, level 0 first: the leaf hash, then one
//   per trailing 1 bit of the leaf index; see anchor-log/sqlite-node-store.ts). The
//   CHECK ties the length to the leaf index.
// - prev_leaf (virtual, not stored) references the row before, so with foreign keys
//   on (every connection Sijill opens) a row can only follow the row of the previous
//   leaf: the log can have no gap, and an append that does not follow the log's real
//   last leaf fails instead of writing (record-leaf.ts relies on this).
// The rows are built from merkle_tree (migration 0005: key = completing leaf · 64 +
// level), so every hash is carried over unchanged. A tree with a missing node cannot
// be carried over and fails the migration: the database is damaged.
import type { Migration } from './types';

export const migration0007: Migration = {
  version: 7,
  name: 'merkle-log-rows',
  up(db) {
    db.exec(`
      CREATE TABLE merkle_log (
        leaf      INTEGER PRIMARY KEY CHECK (leaf >= 0),
        nodes     BLOB NOT NULL
                  CHECK (length(nodes) % 32 = 0 AND (1 << (length(nodes) / 32 - 1)) = ((leaf + 1) & ~leaf)),
        prev_leaf INTEGER AS (nullif(leaf - 1, -1)) VIRTUAL REFERENCES merkle_log (leaf)
      ) STRICT;
      INSERT INTO merkle_log (leaf, nodes)
        SELECT node >> 6, unhex(group_concat(hex(hash), '' ORDER BY node)) FROM merkle_tree GROUP BY node >> 6;
      DROP TABLE merkle_tree;

      CREATE TRIGGER merkle_log_no_update BEFORE UPDATE ON merkle_log
        BEGIN SELECT RAISE(ABORT, 'the Merkle log is append-only'); END;
      CREATE TRIGGER merkle_log_no_delete BEFORE DELETE ON merkle_log
        BEGIN SELECT RAISE(ABORT, 'the Merkle log is append-only'); END;
    `);
    // A missing node fails the length CHECK above and a missing leaf the foreign key;
    // this is the same check once more, whatever the connection's foreign_keys setting.
    const broken = db.prepare('PRAGMA foreign_key_check(merkle_log)').all();
    if (broken.length > 0) throw new Error('the Merkle log has a gap: the database is damaged');
  },
};
