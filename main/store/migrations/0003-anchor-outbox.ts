// The anchoring outbox: one row per checkpoint batch, its state machine persisted
// one transition per write (see OutboxStore in anchor-queue/outbox/store.ts). Rows
// are never deleted: final rows are the anchors receipts point to.
import type { Migration } from './types';

export const migration0003: Migration = {
  version: 3,
  name: 'anchor-outbox',
  up(db) {
    db.exec(`
      CREATE TABLE anchor_outbox (
        batch_id    TEXT PRIMARY KEY,
        origin      TEXT NOT NULL,
        tree_size   INTEGER NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('sealed','submitted','included','final','superseded','failed')),
        version     INTEGER NOT NULL,
        enqueued_at INTEGER NOT NULL,
        final_at    INTEGER,
        batch       TEXT NOT NULL
      ) STRICT;
      CREATE INDEX anchor_outbox_state ON anchor_outbox(state, enqueued_at, batch_id);
      CREATE INDEX anchor_outbox_origin ON anchor_outbox(origin, tree_size);
      CREATE TRIGGER anchor_outbox_no_delete BEFORE DELETE ON anchor_outbox
        BEGIN SELECT RAISE(ABORT, 'outbox rows are kept: final rows are the anchors receipts point to'); END;
    `);
  },
};
