// ChartStore: patient charts as Automerge documents stored in SQLite through the
// storage adapter, their projection, the audit record in the same transaction, and
// the repair of a projection a crash left behind.
import * as A from '@automerge/automerge';
import type { DocumentId } from '@automerge/automerge-repo';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../main/api';
import { verifyAuditChain } from '../../../main/access/audit-log';
import { Clinic } from '../../../main/host/clinic';
import { listEntry, type ChartDoc } from '../../../main/store/charts/chart-doc';
import { isValidMrn } from '../../../main/store/charts/mrn';
import { searchPatients } from '../../../main/store/charts/projection';
import type { Db } from '../../../main/store/database';
import { openDataDir } from '../../../main/store/data-dir';
import { copyTemplate, openCharts, samplePatient, useStoreTemplate } from '../../helpers/store';

const template = useStoreTemplate();
const ACTOR = 'user-0001';

interface AuditRow {
  seq: number;
  actor_id: string | null;
  action: string;
  patient_id: string | null;
  entity_id: string | null;
}
const auditRows = (db: Db) =>
  db.prepare('SELECT seq, actor_id, action, patient_id, entity_id FROM audit_log ORDER BY seq').all() as AuditRow[];
const chunkRows = (db: Db, documentId: string) =>
  db
    .prepare('SELECT key, data FROM automerge_chunks WHERE key >= ? AND key < ? ORDER BY key')
    .all(`${documentId}\u001f`, `${documentId}\u0020`) as {
    key: string;
    data: Buffer;
  }[];
const patientRow = (db: Db, id: string) =>
  db.prepare('SELECT * FROM patients WHERE id = ?').get(id) as
    | {
        id: string;
        document_id: string;
        mrn: string;
        family_name: string;
        heads: string;
        created_at: string;
        updated_at: string;
      }
    | undefined;
const pending = (db: Db) =>
  (db.prepare('SELECT document_id FROM chart_pending').all() as { document_id: string }[]).map((r) => r.document_id);
const searchIds = (db: Db, q: string) => searchPatients(db, q, 10).map((p) => p.id);

/** The document rebuilt from the stored chunks alone, without automerge-repo. */
function docFromChunks(db: Db, documentId: string): ChartDoc {
  let doc = A.init<ChartDoc>();
  for (const c of chunkRows(db, documentId)) doc = A.loadIncremental(doc, new Uint8Array(c.data));
  return doc;
}

describe('ChartStore.register', () => {
  it('stores the chart as an Automerge document in automerge_chunks, projects it and audits it', async () => {
    const { store, charts } = openCharts(template());
    const db = store.db;
    const summary = await charts.register(samplePatient(), ACTOR);

    expect(isValidMrn(summary.mrn)).toBe(true);
    expect(summary).toMatchObject({
      givenName: 'أحمد',
      familyName: 'علي',
      latinName: 'Ahmed Mohammed Ali',
      phone: '+964 770 123 4567',
    });

    const row = patientRow(db, summary.id)!;
    expect(row).toBeDefined();
    expect(row.mrn).toBe(summary.mrn);
    const chunks = chunkRows(db, row.document_id);
    expect(chunks.length).toBeGreaterThan(0);
    for (const c of chunks) expect(c.key.split('\u001f')[0]).toBe(row.document_id);

    // The stored bytes alone hold the whole chart, with ImmutableString demographics.
    const doc = docFromChunks(db, row.document_id);
    expect(A.isImmutableString(doc.patientId)).toBe(true);
    expect(String(doc.patientId)).toBe(summary.id);
    expect(A.isImmutableString(doc.mrn)).toBe(true);
    for (const key of [
      'givenName',
      'fatherName',
      'familyName',
      'latinName',
      'sex',
      'birthDate',
      'phone',
      'nationalId',
      'address',
    ] as const) {
      expect(A.isImmutableString(doc.demographics[key]), key).toBe(true);
    }
    expect(doc.demographics.givenName.val).toBe('أحمد');
    expect(doc.identifiers.map((i) => [i.system.val, i.value.val])).toEqual([
      ['urn:sijill:mrn', summary.mrn],
      ['urn:iq:national-id', 'IQ-19850314-77'],
    ]);
    expect(JSON.parse(row.heads)).toEqual(A.getHeads(doc));

    // Search projection.
    const search = db.prepare('SELECT names, identifiers FROM patient_search WHERE patient_id = ?').get(summary.id) as {
      names: string;
      identifiers: string;
    };
    expect(search.names).toContain('احمد');
    expect(search.identifiers).toContain(summary.mrn.toLowerCase());
    expect(searchIds(db, 'احمد')).toEqual([summary.id]);

    // Audit, and nothing left pending.
    expect(auditRows(db)).toEqual([
      { seq: 1, actor_id: ACTOR, action: 'patient.register', patient_id: summary.id, entity_id: summary.id },
    ]);
    expect(verifyAuditChain(db).ok).toBe(true);
    expect(pending(db)).toEqual([]);
  });

  it('writes projection and audit record in one transaction: if the audit fails, no projection; reconcile repairs it later', async () => {
    const { store, charts } = openCharts(template());
    const db = store.db;
    db.exec(`CREATE TRIGGER fail_register BEFORE INSERT ON audit_log WHEN NEW.action = 'patient.register'
             BEGIN SELECT RAISE(ABORT, 'simulated failure'); END`);
    await expect(charts.register(samplePatient(), ACTOR)).rejects.toThrow('simulated failure');
    expect(db.prepare('SELECT count(*) AS n FROM patients').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM patient_search').get()).toEqual({ n: 0 });
    expect(auditRows(db)).toEqual([]);
    // The document was flushed and stays marked for repair.
    const [documentId] = pending(db);
    expect(documentId).toBeDefined();
    expect(chunkRows(db, documentId!).length).toBeGreaterThan(0);

    db.exec('DROP TRIGGER fail_register');
    expect(await charts.reconcile()).toBe(1);
    const doc = docFromChunks(db, documentId!);
    const patientId = doc.patientId.val;
    const row = patientRow(db, patientId)!;
    expect(row.document_id).toBe(documentId);
    expect(row.created_at).toBe(doc.createdAt.val);
    expect(Number.isNaN(Date.parse(row.created_at))).toBe(false);
    expect(searchIds(db, 'علي')).toEqual([patientId]);
    expect(auditRows(db)).toEqual([
      { seq: 1, actor_id: null, action: 'patient.projection_repaired', patient_id: patientId, entity_id: patientId },
    ]);
    expect(pending(db)).toEqual([]);
  });
});

describe('ChartStore.change', () => {
  it('adds an allergy: document, projection and audit are updated together', async () => {
    const { store, charts } = openCharts(template());
    const db = store.db;
    const { id } = await charts.register(samplePatient({ allergies: ['Penicillin'] }), ACTOR);
    const before = patientRow(db, id)!;
    await new Promise((r) => setTimeout(r, 5)); // updated_at must move forward

    const chart = await charts.change(
      id,
      'nurse-7',
      { action: 'patient.allergy.add', entityId: 'allergy-1' },
      (doc) => {
        doc.allergies.push(listEntry('allergy-1', 'Latex', new Date().toISOString(), 'nurse-7'));
      },
    );
    expect(chart.allergies.map((a) => a.text)).toEqual(['Penicillin', 'Latex']);
    expect(chart.allergies[1]).toMatchObject({ id: 'allergy-1', recordedBy: 'nurse-7' });

    const after = patientRow(db, id)!;
    expect(after.updated_at > before.updated_at).toBe(true);
    expect(after.created_at).toBe(before.created_at);
    expect(after.heads).not.toBe(before.heads);
    const doc = docFromChunks(db, after.document_id);
    expect(JSON.parse(after.heads)).toEqual(A.getHeads(doc));
    expect(doc.allergies.map((a) => a.text)).toEqual(['Penicillin', 'Latex']);
    expect(A.isImmutableString(doc.allergies[1]!.id)).toBe(true);

    expect(auditRows(db).map((r) => [r.action, r.actor_id, r.patient_id, r.entity_id])).toEqual([
      ['patient.register', ACTOR, id, id],
      ['patient.allergy.add', 'nurse-7', id, 'allergy-1'],
    ]);
    expect((await charts.read(id)).allergies).toHaveLength(2);
    expect(pending(db)).toEqual([]);
  });

  it('re-projects demographics: the new name is found, the old one no longer', async () => {
    const { store, charts } = openCharts(template());
    const { id } = await charts.register(samplePatient(), ACTOR);
    await charts.change(id, ACTOR, { action: 'patient.update' }, (doc) => {
      doc.demographics.familyName = new A.ImmutableString('الحسيني');
    });
    expect(patientRow(store.db, id)!.family_name).toBe('الحسيني');
    expect(searchIds(store.db, 'الحسيني')).toEqual([id]);
    expect(searchIds(store.db, 'احمد علي')).toEqual([]);
    const doc = docFromChunks(store.db, patientRow(store.db, id)!.document_id);
    expect(A.isImmutableString(doc.demographics.familyName)).toBe(true);
  });

  it('refuses an unknown patient with NOT_FOUND and audits nothing', async () => {
    const { store, charts } = openCharts(template());
    const err = await charts
      .change('no-such-patient', ACTOR, { action: 'x' }, () => undefined)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('NOT_FOUND');
    await expect(charts.read('no-such-patient')).rejects.toThrow(/No patient/);
    expect(auditRows(store.db)).toEqual([]);
  });
});

describe('restart and crash recovery', () => {
  it('reads the same chart after close and reopen with the passphrase (data survives restart)', async () => {
    const t = template();
    const dir = copyTemplate(t);
    const first = openCharts(t, dir);
    const { id } = await first.charts.register(samplePatient({ allergies: ['Aspirin'] }), ACTOR);
    await first.charts.change(id, ACTOR, { action: 'patient.allergy.add' }, (doc) => {
      doc.allergies.push(listEntry('a2', 'Sulfa', '2024-05-01T10:00:00.000Z', ACTOR));
    });
    const chartBefore = await first.charts.read(id);
    await first.close();

    const store = await openDataDir(dir, t.passphrase);
    const clinic = await Clinic.open(store);
    try {
      const chartAfter = await clinic.charts.read(id);
      expect(chartAfter).toEqual(chartBefore);
      const doc = await clinic.charts.withChart(id, (handle) => handle.doc());
      expect(A.isImmutableString(doc.demographics.givenName)).toBe(true);
      expect(A.isImmutableString(doc.demographics.nationalId)).toBe(true);
      expect(searchIds(store.db, 'ahmed')).toEqual([id]);
    } finally {
      await clinic.close();
    }
  });

  it('repairs a projection a crash left between flush and projection (Clinic.open), and audits the repair', async () => {
    const t = template();
    const dir = copyTemplate(t);
    const first = openCharts(t, dir);
    const { id } = await first.charts.register(samplePatient(), ACTOR);
    const handle = await first.charts.withChart(id, (h) => h);
    // What ChartStore.change does before it projects: mark, change, flush... then "crash".
    first.store.db.prepare('INSERT INTO chart_pending (document_id) VALUES (?)').run(handle.documentId);
    handle.change((doc) => {
      doc.demographics.familyName = new A.ImmutableString('البصري');
      doc.allergies.push(listEntry('a-crash', 'Iodine', '2024-05-01T10:00:00.000Z', ACTOR));
    });
    await first.charts.repo.flush([handle.documentId]);
    const staleHeads = patientRow(first.store.db, id)!.heads;
    await first.close();

    const reopened = openCharts(t, dir);
    expect(patientRow(reopened.store.db, id)!.family_name).toBe('علي'); // still stale
    expect(pending(reopened.store.db)).toEqual([handle.documentId]);
    await reopened.close();

    const store = await openDataDir(dir, t.passphrase);
    const clinic = await Clinic.open(store);
    try {
      const db = store.db;
      const row = patientRow(db, id)!;
      expect(row.family_name).toBe('البصري');
      expect(row.heads).not.toBe(staleHeads);
      expect(JSON.parse(row.heads)).toEqual(A.getHeads(docFromChunks(db, handle.documentId)));
      expect(searchIds(db, 'البصري')).toEqual([id]);
      expect(pending(db)).toEqual([]);
      const audit = auditRows(db);
      expect(audit.at(-1)).toEqual({
        seq: 2,
        actor_id: null,
        action: 'patient.projection_repaired',
        patient_id: id,
        entity_id: id,
      });
      expect(verifyAuditChain(db)).toMatchObject({ ok: true, records: 2 });
      expect((await clinic.charts.read(id)).allergies.map((a) => a.text)).toEqual(['Iodine']);
      // Nothing left to repair: a second pass does nothing and audits nothing.
      expect(await clinic.charts.reconcile()).toBe(0);
      expect(auditRows(db)).toHaveLength(2);
    } finally {
      await clinic.close();
    }
  });

  it('ChartStore.reconcile drops a pending mark whose document was never stored (crash before the first flush)', async () => {
    const { store, charts } = openCharts(template());
    const ghost = '4NMNnkMhL8jXrdJ9jamS58PAVdXu' as DocumentId;
    store.db.prepare('INSERT INTO chart_pending (document_id) VALUES (?)').run(ghost);
    expect(await charts.reconcile()).toBe(0);
    expect(pending(store.db)).toEqual([]);
    expect(auditRows(store.db)).toEqual([]);
  });

  it('reconcile is cheap when nothing is pending: no document is loaded, nothing audited', async () => {
    const t = template();
    const dir = copyTemplate(t);
    const first = openCharts(t, dir);
    await first.charts.register(samplePatient(), ACTOR);
    await first.close();
    const { store, charts } = openCharts(t, dir);
    expect(await charts.reconcile()).toBe(0);
    expect(Object.keys(charts.repo.handles)).toEqual([]);
    expect(auditRows(store.db)).toHaveLength(1);
  });
});
