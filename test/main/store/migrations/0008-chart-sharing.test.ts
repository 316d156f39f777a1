// Migration 0008: the chart's sharing facts (field teams, field copies, regional hub
// consent) projected into patients; rows projected before it read as the defaults.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SHARING } from '../../../../main/api';
import { sharingOfDocument } from '../../../../main/store/charts/projection';
import { openEncryptedDatabase } from '../../../../main/store/database';
import { migrate } from '../../../../main/store/migrate';
import { migrations } from '../../../../main/store/migrations';
import { tempDir } from '../../../helpers/temp-dir';

describe('migration 0008-chart-sharing', () => {
  it('applies on top of 0007; existing charts read as the defaults; the columns are checked', () => {
    const db = openEncryptedDatabase(join(tempDir('sijill-m8'), 't.db'), new Uint8Array(randomBytes(32)), {
      create: true,
    });
    expect(migrate(db, migrations.slice(0, 7))).toBe(7);
    const insert = (id: string) =>
      db
        .prepare(
          `INSERT INTO patients (id, document_id, mrn, given_name, family_name, sex, birth_date, heads, created_at, updated_at)
           VALUES (?, ?, ?, 'A', 'B', 'female', '1990-01-01', '[]', 'now', 'now')`,
        )
        .run(id, `doc-${id}`, `MRN-${id}`);
    insert('old');
    expect(migrate(db, migrations.slice(0, 8))).toBe(8);
    expect(sharingOfDocument(db, 'doc-old')).toEqual({ patientId: 'old', sharing: DEFAULT_SHARING });
    expect(DEFAULT_SHARING).toEqual({ fieldTeamIds: [], fieldCopies: true, regionalHub: false });
    expect(sharingOfDocument(db, 'doc-none')).toBeUndefined();

    insert('new');
    db.prepare(
      'UPDATE patients SET field_team_ids = \'["T1","T2"]\', field_copies = 0, regional_hub = 1 WHERE id = \'new\'',
    ).run();
    expect(sharingOfDocument(db, 'doc-new')).toEqual({
      patientId: 'new',
      sharing: { fieldTeamIds: ['T1', 'T2'], fieldCopies: false, regionalHub: true },
    });
    expect(() => db.prepare("UPDATE patients SET field_copies = 2 WHERE id = 'new'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE patients SET regional_hub = -1 WHERE id = 'new'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE patients SET field_team_ids = 'T1' WHERE id = 'new'").run()).toThrow(/CHECK/);
    db.close();
  });
});
