// A conflict resolved on another device, or replaced there by a later edit made
// after seeing both values, no longer stands in the chart once its change arrives.
// Until now it stayed open on every other device (a clinician there would review it
// again, against a chart that no longer holds it). Such a row becomes `settled`: when
// this device noticed (resolved_at) and why (reason), with no local user as resolver.
// SQLite cannot change a CHECK constraint in place: the table is rebuilt, rows kept.
import type { Migration } from './types';

export const migration0011: Migration = {
  version: 11,
  name: 'conflicts-settled',
  up(db) {
    db.exec(`
      CREATE TABLE sync_conflicts_new (
        id              TEXT PRIMARY KEY,
        document_id     TEXT NOT NULL,
        patient_id      TEXT,
        kind            TEXT NOT NULL CHECK (kind IN ('concurrent-value', 'concurrent-list-edit', 'removed-vs-edited')),
        path            TEXT NOT NULL,
        record_json     TEXT NOT NULL,
        detected_at     TEXT NOT NULL,
        status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'settled')),
        resolved_by     TEXT REFERENCES users(id),
        resolved_at     TEXT,
        reason          TEXT,
        resolution_json TEXT,
        CHECK (status = 'open' OR (resolved_at IS NOT NULL AND reason IS NOT NULL)),
        CHECK (status <> 'resolved' OR resolved_by IS NOT NULL)
      ) STRICT;
      INSERT INTO sync_conflicts_new SELECT id, document_id, patient_id, kind, path, record_json, detected_at,
        status, resolved_by, resolved_at, reason, resolution_json FROM sync_conflicts;
      DROP TABLE sync_conflicts;
      ALTER TABLE sync_conflicts_new RENAME TO sync_conflicts;
      CREATE INDEX sync_conflicts_open ON sync_conflicts(status, patient_id);
      CREATE INDEX sync_conflicts_by_document ON sync_conflicts(document_id, status);
    `);
  },
};
