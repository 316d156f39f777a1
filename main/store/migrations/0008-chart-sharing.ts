// Who may hold a chart (sync share policy): the field teams a patient is assigned to
// and the patient's two sharing choices, projected from the chart document so the
// share policy reads them with one indexed lookup per decision. Existing rows take
// the defaults, which is what their documents (written before the chart had these
// fields) read as: no teams, field copies allowed, no consent to regional storage.
import type { Migration } from './types';

export const migration0008: Migration = {
  version: 8,
  name: 'chart-sharing',
  up(db) {
    db.exec(`
      ALTER TABLE patients ADD COLUMN field_team_ids TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(field_team_ids));
      ALTER TABLE patients ADD COLUMN field_copies INTEGER NOT NULL DEFAULT 1 CHECK (field_copies IN (0, 1));
      ALTER TABLE patients ADD COLUMN regional_hub INTEGER NOT NULL DEFAULT 0 CHECK (regional_hub IN (0, 1));
    `);
  },
};
