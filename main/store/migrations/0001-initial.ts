// The first schema: clinic metadata, users and sessions, the Automerge chunk store,
// the patient projection with its search index, signed clinical entries, and the
// hash-chained audit log. Entries and audit records are append-only: triggers refuse
// UPDATE and DELETE so that no code path can rewrite history by accident.
import type { Migration } from './types';

export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE users (
        id              TEXT PRIMARY KEY,
        username        TEXT NOT NULL UNIQUE,
        display_name    TEXT NOT NULL,
        role            TEXT NOT NULL CHECK (role IN ('administrator','doctor','nurse','clerk','lab_technician','device_technician','auditor')),
        password_hash   TEXT NOT NULL,
        public_key      BLOB NOT NULL CHECK (length(public_key) = 32),
        private_key_enc BLOB NOT NULL,
        created_at      TEXT NOT NULL,
        disabled        INTEGER NOT NULL DEFAULT 0,
        failed_logins   INTEGER NOT NULL DEFAULT 0,
        locked_until    TEXT
      ) STRICT;

      CREATE TABLE sessions (
        token_hash   TEXT PRIMARY KEY,
        user_id      TEXT NOT NULL REFERENCES users(id),
        created_at   TEXT NOT NULL,
        expires_at   TEXT NOT NULL,
        last_seen_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX sessions_user ON sessions(user_id);

      -- automerge-repo storage: key = StorageKey parts joined by U+001F.
      CREATE TABLE automerge_chunks (
        key  TEXT PRIMARY KEY,
        data BLOB NOT NULL
      ) STRICT;

      -- Documents changed but not yet re-projected: written before a change is flushed,
      -- removed in the projection's transaction. What remains after a crash is repaired at start.
      CREATE TABLE chart_pending (
        document_id TEXT PRIMARY KEY
      ) STRICT;

      -- Deterministic projection of the patient chart documents, for lists and search.
      CREATE TABLE patients (
        id          TEXT PRIMARY KEY,
        document_id TEXT NOT NULL UNIQUE,
        mrn         TEXT NOT NULL UNIQUE,
        given_name  TEXT NOT NULL,
        father_name TEXT,
        family_name TEXT NOT NULL,
        latin_name  TEXT,
        sex         TEXT NOT NULL,
        birth_date  TEXT NOT NULL,
        phone       TEXT,
        national_id TEXT,
        heads       TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      ) STRICT;
      CREATE INDEX patients_updated ON patients(updated_at);

      -- Search text is normalised (Arabic letter variants folded) before it is indexed.
      CREATE VIRTUAL TABLE patient_search USING fts5(
        patient_id UNINDEXED,
        names,
        identifiers,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3'
      );

      CREATE TABLE entries (
        id           TEXT PRIMARY KEY,
        patient_id   TEXT NOT NULL REFERENCES patients(id),
        kind         TEXT NOT NULL,
        author_id    TEXT NOT NULL REFERENCES users(id),
        created_at   TEXT NOT NULL,
        amends       TEXT REFERENCES entries(id),
        canonical    TEXT NOT NULL,
        content_hash BLOB NOT NULL CHECK (length(content_hash) = 32),
        signature    BLOB NOT NULL CHECK (length(signature) = 64)
      ) STRICT;
      CREATE INDEX entries_patient ON entries(patient_id, created_at);
      -- Partial: an original entry (most of them) touches no page of this index.
      CREATE INDEX entries_amends ON entries(amends) WHERE amends IS NOT NULL;
      CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
        BEGIN SELECT RAISE(ABORT, 'clinical entries are immutable: amend instead'); END;
      CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
        BEGIN SELECT RAISE(ABORT, 'clinical entries are immutable: amend instead'); END;

      CREATE TABLE audit_log (
        seq        INTEGER PRIMARY KEY,
        at         TEXT NOT NULL,
        actor_id   TEXT,
        action     TEXT NOT NULL,
        patient_id TEXT,
        entity_id  TEXT,
        detail     TEXT,
        prev_hash  BLOB NOT NULL,
        hash       BLOB NOT NULL
      ) STRICT;
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    `);
  },
};
