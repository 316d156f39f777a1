// The device bridge's tables: connections (port, profile, attached patient), the
// raw byte log (every byte in and out, append-only, for replay), waveform
// recordings in fixed-length chunks (never in Automerge), and the lab results inbox
// for results that match no registered patient (never dropped).
import type { Migration } from './types';

export const migration0004: Migration = {
  version: 4,
  name: 'devices',
  up(db) {
    db.exec(`
      CREATE TABLE device_connections (
        id          TEXT PRIMARY KEY,
        profile_id  TEXT NOT NULL,
        path        TEXT NOT NULL,
        label       TEXT NOT NULL,
        patient_id  TEXT REFERENCES patients(id),
        created_at  TEXT NOT NULL,
        enabled     INTEGER NOT NULL DEFAULT 1
      ) STRICT;

      CREATE TABLE raw_bytes (
        connection_id TEXT NOT NULL,
        seq           INTEGER NOT NULL,
        direction     TEXT NOT NULL CHECK (direction IN ('in', 'out', 'open', 'close')),
        at            INTEGER NOT NULL,
        data          BLOB NOT NULL,
        PRIMARY KEY (connection_id, seq)
      ) STRICT, WITHOUT ROWID;
      CREATE TRIGGER raw_bytes_no_update BEFORE UPDATE ON raw_bytes
        BEGIN SELECT RAISE(ABORT, 'the raw byte log is append-only'); END;

      -- Messages already stored (ASTM message, HL7 MSH-10): a retransmission is acknowledged, not stored twice.
      CREATE TABLE device_messages (
        idempotency_key TEXT PRIMARY KEY,
        connection_id   TEXT NOT NULL,
        stored_at       TEXT NOT NULL
      ) STRICT;

      CREATE TABLE recordings (
        id            TEXT PRIMARY KEY,
        patient_id    TEXT NOT NULL REFERENCES patients(id),
        connection_id TEXT NOT NULL,
        code          TEXT NOT NULL,
        sample_rate   REAL NOT NULL,
        codec         TEXT NOT NULL,
        started_at    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX recordings_patient ON recordings(patient_id, started_at);

      CREATE TABLE waveform_chunks (
        recording_id TEXT NOT NULL REFERENCES recordings(id),
        seq          INTEGER NOT NULL,
        t0           INTEGER NOT NULL,
        sample_rate  REAL NOT NULL,
        codec        TEXT NOT NULL,
        data         BLOB NOT NULL,
        sha256       BLOB NOT NULL CHECK (length(sha256) = 32),
        PRIMARY KEY (recording_id, seq)
      ) STRICT, WITHOUT ROWID;
      CREATE TRIGGER waveform_chunks_no_update BEFORE UPDATE ON waveform_chunks
        BEGIN SELECT RAISE(ABORT, 'waveform chunks are immutable'); END;

      CREATE TABLE lab_inbox (
        id            TEXT PRIMARY KEY,
        received_at   TEXT NOT NULL,
        connection_id TEXT,
        analyzer      TEXT NOT NULL,
        sample_id     TEXT,
        patient_ids   TEXT NOT NULL,
        results       TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('pending', 'matched')),
        patient_id    TEXT REFERENCES patients(id),
        resolved_by   TEXT REFERENCES users(id),
        resolved_at   TEXT
      ) STRICT;
      CREATE INDEX lab_inbox_status ON lab_inbox(status, received_at);
    `);
  },
};
