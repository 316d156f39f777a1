// A committed entry used to write ~14 database pages, 9 of them for its two Merkle
// leaves: merkle_leaves (a row, plus a (kind, id) index touched in two places) and
// merkle_nodes keyed by (level, idx), where every level lives on a page of its own.
// Each page is encrypted and synced on commit, so pages are what an entry costs.
//
// Now:
// - merkle_tree keys a node by the append that completes it (completing leaf · 64 +
//   level; see anchor-log/sqlite-node-store.ts). Keys only grow, so all nodes of a
//   commit land on the table's last page.
// - A record carries its own leaf: leaf_index and leaf_salt are columns of entries
//   and audit_log, written in the record's INSERT. The other leaf preimage fields are
//   the record's kind, id and content hash, which the row already holds.
// Existing nodes and leaves are carried over unchanged; no hash changes.
import type { Migration } from './types';

export const migration0005: Migration = {
  version: 5,
  name: 'compact-merkle-log',
  up(db) {
    db.exec(`
      CREATE TABLE merkle_tree (
        node INTEGER PRIMARY KEY,
        hash BLOB NOT NULL CHECK (length(hash) = 32)
      ) STRICT;
      INSERT INTO merkle_tree (node, hash)
        SELECT (((idx + 1) << level) - 1) * 64 + level, hash FROM merkle_nodes;

      ALTER TABLE entries ADD COLUMN leaf_index INTEGER;
      ALTER TABLE entries ADD COLUMN leaf_salt BLOB CHECK (leaf_salt IS NULL OR length(leaf_salt) = 32);
      ALTER TABLE audit_log ADD COLUMN leaf_index INTEGER;
      ALTER TABLE audit_log ADD COLUMN leaf_salt BLOB CHECK (leaf_salt IS NULL OR length(leaf_salt) = 32);

      -- The immutability triggers step aside for this one copy, inside the migration's transaction.
      DROP TRIGGER entries_no_update;
      UPDATE entries SET (leaf_index, leaf_salt) =
        (SELECT leaf_index, salt FROM merkle_leaves WHERE record_kind = 'entry' AND record_id = entries.id);
      CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
        BEGIN SELECT RAISE(ABORT, 'clinical entries are immutable: amend instead'); END;
      DROP TRIGGER audit_no_update;
      UPDATE audit_log SET (leaf_index, leaf_salt) =
        (SELECT leaf_index, salt FROM merkle_leaves WHERE record_kind = 'audit' AND record_id = CAST(audit_log.seq AS TEXT));
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

      DROP TABLE merkle_leaves;
      DROP TABLE merkle_nodes;

      CREATE TRIGGER merkle_tree_no_update BEFORE UPDATE ON merkle_tree
        BEGIN SELECT RAISE(ABORT, 'the Merkle log is append-only'); END;
      CREATE TRIGGER merkle_tree_no_delete BEFORE DELETE ON merkle_tree
        BEGIN SELECT RAISE(ABORT, 'the Merkle log is append-only'); END;
    `);
  },
};
