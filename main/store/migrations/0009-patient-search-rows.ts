// The search index row of each patient, found by key. patient_search is an FTS5
// table whose patient_id column is UNINDEXED: "DELETE ... WHERE patient_id = ?"
// read the whole index, once per projection. Registering, editing or receiving a
// chart therefore cost time in proportion to the number of patients (at 10,000
// patients a first sync spent most of its time there). This table maps a patient
// to its FTS rowid (FTS5 keeps its rowids through VACUUM), so a projection updates
// its one index row in place.
import type { Migration } from './types';

export const migration0009: Migration = {
  version: 9,
  name: 'patient-search-rows',
  up(db) {
    db.exec(`
      CREATE TABLE patient_search_rows (
        patient_id   TEXT PRIMARY KEY REFERENCES patients(id),
        search_rowid INTEGER NOT NULL UNIQUE
      ) STRICT, WITHOUT ROWID;
      -- One index row per patient: the newest, should an older copy have been left.
      INSERT INTO patient_search_rows (patient_id, search_rowid)
        SELECT patient_id, max(rowid) FROM patient_search GROUP BY patient_id;
      DELETE FROM patient_search WHERE rowid NOT IN (SELECT search_rowid FROM patient_search_rows);
    `);
  },
};
