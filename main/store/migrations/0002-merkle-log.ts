// The device's append-only Merkle log (RFC 6962): every signed entry and every
// audit record becomes a salted leaf in the same transaction as the record.
// merkle_nodes holds the hash of every complete aligned subtree, so appends and
// proofs at any past size cost O(log n) hashes; checkpoints are the signed notes
// sealed over it. All of it is append-only.
import type { Migration } from './types';

export const migration0002: Migration = {
  version: 2,
  name: 'merkle-log',
  up(db) {
    db.exec(`
      CREATE TABLE merkle_nodes (
        level INTEGER NOT NULL,
        idx   INTEGER NOT NULL,
        hash  BLOB NOT NULL CHECK (length(hash) = 32),
        PRIMARY KEY (level, idx)
      ) STRICT, WITHOUT ROWID;

      -- The leaf preimage fields (the salt never leaves the device except in a receipt).
      CREATE TABLE merkle_leaves (
        leaf_index   INTEGER PRIMARY KEY,
        record_kind  TEXT NOT NULL,
        record_id    TEXT NOT NULL,
        content_hash BLOB NOT NULL CHECK (length(content_hash) = 32),
        salt         BLOB NOT NULL CHECK (length(salt) = 32),
        leaf_hash    BLOB NOT NULL CHECK (length(leaf_hash) = 32),
        created_at   TEXT NOT NULL,
        UNIQUE (record_kind, record_id)
      ) STRICT;

      CREATE TABLE checkpoints (
        tree_size  INTEGER PRIMARY KEY,
        root       BLOB NOT NULL CHECK (length(root) = 32),
        note       TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TRIGGER merkle_nodes_no_update BEFORE UPDATE ON merkle_nodes
        BEGIN SELECT RAISE(ABORT, 'the Merkle log is append-only'); END;
      CREATE TRIGGER merkle_nodes_no_delete BEFORE DELETE ON merkle_nodes
        BEGIN SELECT RAISE(ABORT, 'the Merkle log is append-only'); END;
      CREATE TRIGGER merkle_leaves_no_update BEFORE UPDATE ON merkle_leaves
        BEGIN SELECT RAISE(ABORT, 'the Merkle log is append-only'); END;
      CREATE TRIGGER merkle_leaves_no_delete BEFORE DELETE ON merkle_leaves
        BEGIN SELECT RAISE(ABORT, 'the Merkle log is append-only'); END;
      CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
        BEGIN SELECT RAISE(ABORT, 'checkpoints are kept forever, unchanged'); END;
      CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
        BEGIN SELECT RAISE(ABORT, 'checkpoints are kept forever, unchanged'); END;
    `);
  },
};
