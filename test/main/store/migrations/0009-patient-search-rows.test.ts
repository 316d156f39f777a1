// Migration 0009: each patient's search index row found by key, so a projection no
// longer scans the whole FTS index (see the migration's comment).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectChart, searchPatients } from '../../../../main/store/charts/projection';
import { openEncryptedDatabase } from '../../../../main/store/database';
import { migrate } from '../../../../main/store/migrate';
import { migrations } from '../../../../main/store/migrations';
import { tempDir } from '../../../helpers/temp-dir';

const count = (db: ReturnType<typeof openEncryptedDatabase>, sql: string) => (db.prepare(sql).get() as { n: number }).n;

describe('migration 0009-patient-search-rows', () => {
  it('maps each indexed patient to one index row (dropping a stale copy); projections then update it in place', () => {
    const db = openEncryptedDatabase(join(tempDir('sijill-m9'), 't.db'), new Uint8Array(randomBytes(32)), {
      create: true,
    });
    expect(migrate(db, migrations.slice(0, 8))).toBe(8);
    const insertPatient = (id: string, given: string) => {
      db.prepare(
        `INSERT INTO patients (id, document_id, mrn, given_name, family_name, sex, birth_date, heads, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'Hassan', 'female', '1990-01-01', '[]', 'now', 'now')`,
      ).run(id, `doc-${id}`, `MRN-${id}`, given);
      db.prepare('INSERT INTO patient_search (patient_id, names, identifiers) VALUES (?, ?, ?)').run(
        id,
        `${given.toLowerCase()} hassan`,
        `mrn-${id}`,
      );
    };
    insertPatient('p1', 'Zainab');
    insertPatient('p2', 'Maryam');
    // A stale second row for p1 (older than its current one): the newest is kept.
    db.prepare('INSERT INTO patient_search (patient_id, names, identifiers) VALUES (?, ?, ?)').run(
      'p1',
      'zahra hassan',
      'mrn-p1',
    );
    const newestP1 = (
      db.prepare("SELECT max(rowid) AS r FROM patient_search WHERE patient_id = 'p1'").get() as {
        r: number;
      }
    ).r;

    expect(migrate(db, migrations.slice(0, 9))).toBe(9);
    expect(count(db, 'SELECT count(*) AS n FROM patient_search')).toBe(2);
    expect(count(db, 'SELECT count(*) AS n FROM patient_search_rows')).toBe(2);
    expect(
      (db.prepare("SELECT search_rowid AS r FROM patient_search_rows WHERE patient_id = 'p1'").get() as { r: number })
        .r,
    ).toBe(newestP1);
    expect(searchPatients(db, 'Zahra', 10).map((p) => p.id)).toEqual(['p1']);
    expect(searchPatients(db, 'Zainab', 10)).toEqual([]);

    // A projection of p2 rewrites its one row (search finds the new name, not the old),
    // and a new patient gets a row of its own.
    const chart = (id: string, givenName: string) => ({
      id,
      mrn: `MRN-${id}`,
      givenName,
      fatherName: null,
      familyName: 'Hassan',
      latinName: null,
      sex: 'female' as const,
      birthDate: '1990-01-01',
      phone: null,
      nationalId: null,
      updatedAt: 'later',
    });
    projectChart(db, chart('p2', 'Fatima') as never, 'doc-p2', [], 'now');
    projectChart(db, chart('p3', 'Noor') as never, 'doc-p3', [], 'now');
    expect(count(db, 'SELECT count(*) AS n FROM patient_search')).toBe(3);
    expect(count(db, 'SELECT count(*) AS n FROM patient_search_rows')).toBe(3);
    expect(searchPatients(db, 'Fatima', 10).map((p) => p.id)).toEqual(['p2']);
    expect(searchPatients(db, 'Maryam', 10)).toEqual([]);
    expect(searchPatients(db, 'Noor', 10).map((p) => p.id)).toEqual(['p3']);
    // Unique: two patients cannot share an index row.
    expect(() =>
      db.prepare("INSERT INTO patient_search_rows (patient_id, search_rowid) VALUES ('p9', ?)").run(newestP1),
    ).toThrow();
    db.close();
  });
});
