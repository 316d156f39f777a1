// Sync between clinic devices. The device's own Ed25519 identity is already stored
// (meta device.id / device.public_key / device.private_key, sealed under the database
// key since 0001), so this adds only what sync itself needs: the clinic this device
// belongs to (pinned roster anchor, clinic secret sealed like users' keys), the roster
// operations, one-time enrollment codes (only the scrypt-derived key, never the code),
// known peers with per-peer document heads (only documents changed since the last
// exchange travel), the conflict review queue, received entries that were refused,
// and imported bundle ids (replay protection).
import type { Migration } from './types';

export const migration0006: Migration = {
  version: 6,
  name: 'sync',
  up(db) {
    db.exec(`
      -- One row: the clinic this device is enrolled in (founded here, or joined).
      CREATE TABLE sync_clinic (
        id             INTEGER PRIMARY KEY CHECK (id = 1),
        clinic_id      TEXT NOT NULL,
        genesis        TEXT NOT NULL CHECK (length(genesis) = 64),
        clinic_key_enc BLOB NOT NULL,
        roster_doc_id  TEXT NOT NULL,
        catalog_doc_id TEXT NOT NULL,
        joined_at      TEXT NOT NULL
      ) STRICT;

      -- Signed roster operations, verified as a whole by buildRoster; never rewritten.
      CREATE TABLE sync_roster_ops (
        hash        TEXT PRIMARY KEY CHECK (length(hash) = 64),
        op          BLOB NOT NULL,
        received_at TEXT NOT NULL
      ) STRICT;
      CREATE TRIGGER sync_roster_ops_no_update BEFORE UPDATE ON sync_roster_ops
        BEGIN SELECT RAISE(ABORT, 'roster operations are immutable'); END;
      CREATE TRIGGER sync_roster_ops_no_delete BEFORE DELETE ON sync_roster_ops
        BEGIN SELECT RAISE(ABORT, 'roster operations are immutable'); END;

      CREATE TABLE sync_enrollment_codes (
        id          TEXT PRIMARY KEY,
        clinic_id   TEXT NOT NULL,
        created_by  TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        expires_at  TEXT NOT NULL,
        code_key    BLOB NOT NULL CHECK (length(code_key) = 32),
        admin       INTEGER NOT NULL CHECK (admin IN (0, 1)),
        approved_by TEXT,
        used_at     TEXT,
        failures    INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0)
      ) STRICT;

      CREATE TABLE sync_peers (
        device_id    TEXT PRIMARY KEY,
        address      TEXT,
        added_at     TEXT NOT NULL,
        last_sync_at TEXT,
        last_error   TEXT
      ) STRICT;

      -- Heads of each document as last exchanged with a peer: a document whose heads
      -- still match is not loaded or sent again.
      CREATE TABLE sync_peer_docs (
        device_id   TEXT NOT NULL REFERENCES sync_peers(device_id),
        document_id TEXT NOT NULL,
        heads       TEXT NOT NULL,
        synced_at   TEXT NOT NULL,
        PRIMARY KEY (device_id, document_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE sync_conflicts (
        id              TEXT PRIMARY KEY,
        document_id     TEXT NOT NULL,
        patient_id      TEXT,
        kind            TEXT NOT NULL CHECK (kind IN ('concurrent-value', 'concurrent-list-edit', 'removed-vs-edited')),
        path            TEXT NOT NULL,
        record_json     TEXT NOT NULL,
        detected_at     TEXT NOT NULL,
        status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
        resolved_by     TEXT REFERENCES users(id),
        resolved_at     TEXT,
        reason          TEXT,
        resolution_json TEXT,
        CHECK (status = 'open' OR (resolved_by IS NOT NULL AND resolved_at IS NOT NULL AND reason IS NOT NULL))
      ) STRICT;
      CREATE INDEX sync_conflicts_open ON sync_conflicts(status, patient_id);

      -- Entries received from a peer that failed verification: reported, never stored in entries.
      CREATE TABLE sync_refused_entries (
        entry_id    TEXT NOT NULL,
        document_id TEXT NOT NULL,
        reason      TEXT NOT NULL,
        refused_at  TEXT NOT NULL,
        PRIMARY KEY (entry_id, document_id)
      ) STRICT;

      CREATE TABLE sync_bundle_imports (
        bundle_id   TEXT PRIMARY KEY,
        from_device TEXT NOT NULL,
        sequence    INTEGER NOT NULL,
        imported_at TEXT NOT NULL,
        docs        INTEGER NOT NULL,
        entries     INTEGER NOT NULL,
        UNIQUE (from_device, sequence)
      ) STRICT;
      CREATE TRIGGER sync_bundle_imports_no_delete BEFORE DELETE ON sync_bundle_imports
        BEGIN SELECT RAISE(ABORT, 'imported bundle ids are kept for replay protection'); END;
    `);
  },
};
