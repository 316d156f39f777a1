// The SQLite projection of chart documents: one row per patient plus its search
// text. It is a pure function of the document, so it can always be rebuilt.
import { DEFAULT_SHARING, type PatientChart, type PatientSharing, type PatientSummary } from '../../api';
import type { Db } from '../database';
import { ftsPrefixQuery, normalizeForSearch } from '../search/normalize';
import { stmt } from '../statements';

interface PatientRow {
  id: string;
  mrn: string;
  given_name: string;
  father_name: string | null;
  family_name: string;
  latin_name: string | null;
  sex: PatientSummary['sex'];
  birth_date: string;
  phone: string | null;
  national_id: string | null;
  updated_at: string;
}

export const toPatientSummary = (r: PatientRow): PatientSummary => ({
  id: r.id,
  mrn: r.mrn,
  givenName: r.given_name,
  fatherName: r.father_name,
  familyName: r.family_name,
  latinName: r.latin_name,
  sex: r.sex,
  birthDate: r.birth_date,
  phone: r.phone,
  nationalId: r.national_id,
  updatedAt: r.updated_at,
});

function searchText(
  chart: Pick<PatientChart, 'givenName' | 'fatherName' | 'familyName' | 'latinName' | 'phone' | 'mrn' | 'nationalId'>,
): { names: string; identifiers: string } {
  const names = [chart.givenName, chart.fatherName, chart.familyName, chart.latinName].filter(Boolean).join(' ');
  const phoneDigits = chart.phone ? normalizeForSearch(chart.phone).replace(/\D/g, '') : '';
  // Also index the local form of an international number (+964 770… → 0770…), as staff type either.
  const localPhone = phoneDigits.startsWith('964') ? `0${phoneDigits.slice(3)}` : '';
  // ... and the international form of a local one (0770… → 964770…).
  const intlPhone = /^0[1-9]/.test(phoneDigits) ? `964${phoneDigits.slice(1)}` : '';
  const identifiers = [chart.mrn, phoneDigits, localPhone, intlPhone, chart.nationalId].filter(Boolean).join(' ');
  return { names: normalizeForSearch(names), identifiers: normalizeForSearch(identifiers) };
}

/**
 * Inserts or replaces the projection of one chart; call inside a write transaction.
 * A chart without sharing facts (callers that build one by hand) gets the defaults.
 */
export function projectChart(
  db: Db,
  chart: Omit<PatientChart, 'sharing'> & { sharing?: PatientSharing },
  documentId: string,
  heads: string[],
  createdAt: string,
): void {
  const sharing = chart.sharing ?? DEFAULT_SHARING;
  stmt(
    db,
    `INSERT INTO patients (id, document_id, mrn, given_name, father_name, family_name, latin_name, sex, birth_date, phone, national_id, heads, created_at, updated_at, field_team_ids, field_copies, regional_hub)
     VALUES (@id, @documentId, @mrn, @givenName, @fatherName, @familyName, @latinName, @sex, @birthDate, @phone, @nationalId, @heads, @createdAt, @updatedAt, @fieldTeamIds, @fieldCopies, @regionalHub)
     ON CONFLICT(id) DO UPDATE SET mrn = excluded.mrn, given_name = excluded.given_name, father_name = excluded.father_name,
       family_name = excluded.family_name, latin_name = excluded.latin_name, sex = excluded.sex, birth_date = excluded.birth_date,
       phone = excluded.phone, national_id = excluded.national_id, heads = excluded.heads, updated_at = excluded.updated_at,
       field_team_ids = excluded.field_team_ids, field_copies = excluded.field_copies, regional_hub = excluded.regional_hub`,
  ).run({
    id: chart.id,
    documentId,
    mrn: chart.mrn,
    givenName: chart.givenName,
    fatherName: chart.fatherName,
    familyName: chart.familyName,
    latinName: chart.latinName,
    sex: chart.sex,
    birthDate: chart.birthDate,
    phone: chart.phone,
    nationalId: chart.nationalId,
    heads: JSON.stringify(heads),
    createdAt,
    updatedAt: chart.updatedAt,
    fieldTeamIds: JSON.stringify(sharing.fieldTeamIds),
    fieldCopies: sharing.fieldCopies ? 1 : 0,
    regionalHub: sharing.regionalHub ? 1 : 0,
  });
  writeSearchRow(db, chart.id, searchText(chart));
}

/** The patient's one search index row, found by key (migration 0009), never by scanning the index. */
function writeSearchRow(db: Db, patientId: string, text: { names: string; identifiers: string }): void {
  const row = stmt(db, 'SELECT search_rowid FROM patient_search_rows WHERE patient_id = ?').get(patientId) as
    { search_rowid: number } | undefined;
  if (row) {
    stmt(db, 'UPDATE patient_search SET names = ?, identifiers = ? WHERE rowid = ?').run(
      text.names,
      text.identifiers,
      row.search_rowid,
    );
    return;
  }
  const { lastInsertRowid } = stmt(
    db,
    'INSERT INTO patient_search (patient_id, names, identifiers) VALUES (?, ?, ?)',
  ).run(patientId, text.names, text.identifiers);
  stmt(db, 'INSERT INTO patient_search_rows (patient_id, search_rowid) VALUES (?, ?)').run(patientId, lastInsertRowid);
}

export function searchPatients(db: Db, query: string, limit: number): PatientSummary[] {
  const match = ftsPrefixQuery(query);
  if (!match) {
    return (stmt(db, 'SELECT * FROM patients ORDER BY updated_at DESC LIMIT ?').all(limit) as PatientRow[]).map(
      toPatientSummary,
    );
  }
  const rows = db
    .prepare(
      `SELECT p.* FROM patient_search s JOIN patients p ON p.id = s.patient_id
       WHERE patient_search MATCH ? ORDER BY s.rank LIMIT ?`,
    )
    .all(match, limit) as PatientRow[];
  return rows.map(toPatientSummary);
}

export function getPatientRow(
  db: Db,
  patientId: string,
): (PatientRow & { document_id: string; created_at: string }) | undefined {
  return stmt(db, 'SELECT * FROM patients WHERE id = ?').get(patientId) as
    (PatientRow & { document_id: string; created_at: string }) | undefined;
}

/** The projected sharing facts of a chart document (share policy), or undefined when not projected. */
export function sharingOfDocument(
  db: Db,
  documentId: string,
): { patientId: string; sharing: PatientSharing } | undefined {
  const r = stmt(db, 'SELECT id, field_team_ids, field_copies, regional_hub FROM patients WHERE document_id = ?').get(
    documentId,
  ) as { id: string; field_team_ids: string; field_copies: number; regional_hub: number } | undefined;
  if (!r) return undefined;
  return {
    patientId: r.id,
    sharing: {
      fieldTeamIds: JSON.parse(r.field_team_ids) as string[],
      fieldCopies: r.field_copies === 1,
      regionalHub: r.regional_hub === 1,
    },
  };
}

export function patientExists(db: Db, patientId: string): boolean {
  return stmt(db, 'SELECT 1 FROM patients WHERE id = ?').get(patientId) !== undefined;
}

export function countPatients(db: Db): number {
  return (stmt(db, 'SELECT count(*) AS n FROM patients').get() as { n: number }).n;
}
