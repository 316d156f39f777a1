// Concurrent edits of a watched chart field on two hosts: after the sync the
// conflict is in the review queue (not settled silently); resolving writes the
// chosen value, who chose and why, and an audit record, and the other side gets it.
import * as A from '@automerge/automerge';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConflictRecord } from '../../../../sync';
import { verifyAuditChain } from '../../../../main/access/audit-log';
import { handlers, type CallContext } from '../../../../main/host/handlers';
import { AUDITED_PATIENT_IDS, readConflicts, resolveConflictById } from '../../../../main/host/sync/conflict-review';
import { getPatientRow } from '../../../../main/store/charts/projection';
import {
  getConflict,
  SETTLED_ELSEWHERE,
  SETTLED_REPLACED,
  sqliteConflictQueue,
} from '../../../../main/store/sync/conflicts';
import { enrolledPair, openTestHost, registration, type TestHost } from './sync-fixture';

const hosts: TestHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

describe('conflict queue through the host', () => {
  it('queues a concurrent demographic edit and resolves it with a reason', async () => {
    const { desk, laptop, url } = await enrolledPair(hosts);
    const p = await desk.clinic.registerPatient(desk.doctor, registration('Layla'));
    expect((await laptop.clinic.sync.syncOnce(url, { timeoutMs: 30_000 })).converged).toBe(true);

    // Both edit the family name while apart.
    await desk.clinic.charts.change(p.id, desk.doctor.id, { action: 'test.edit' }, (d) => {
      d.demographics.familyName = new A.ImmutableString('Al-Rawi');
    });
    await laptop.clinic.charts.change(p.id, laptop.doctor.id, { action: 'test.edit' }, (d) => {
      d.demographics.familyName = new A.ImmutableString('Al-Rawe');
    });
    expect((await laptop.clinic.sync.syncOnce(url, { timeoutMs: 30_000 })).converged).toBe(true);

    const open = readConflicts(desk.clinic.db, desk.doctor.id, { patientId: p.id });
    expect(open).toHaveLength(1);
    expect(open[0]!.path).toEqual(['demographics', 'familyName']);
    expect(open[0]!.values.map((v) => v.value).sort()).toEqual(['Al-Rawe', 'Al-Rawi']);
    expect(desk.clinic.stats().conflicts).toBe(1);

    const choice = open[0]!.values.findIndex((v) => v.value === 'Al-Rawi');
    await expect(
      resolveConflictById(desk.clinic, desk.doctor.id, open[0]!.id, { choose: choice }, '  '),
    ).rejects.toThrow(/reason/);
    const done = await resolveConflictById(
      desk.clinic,
      desk.doctor.id,
      open[0]!.id,
      { choose: choice },
      'spelling on the national ID card',
    );
    expect(done).toMatchObject({
      status: 'resolved',
      resolvedBy: desk.doctor.id,
      reason: 'spelling on the national ID card',
    });
    expect((await desk.clinic.charts.read(p.id)).familyName).toBe('Al-Rawi');
    const audit = desk.clinic.db
      .prepare("SELECT actor_id, entity_id FROM audit_log WHERE action = 'conflict.resolve'")
      .all() as { actor_id: string; entity_id: string }[];
    expect(audit).toEqual([{ actor_id: desk.doctor.id, entity_id: open[0]!.id }]);
    // Resolving twice is refused.
    await expect(resolveConflictById(desk.clinic, desk.doctor.id, open[0]!.id, { choose: 0 }, 'again')).rejects.toThrow(
      /already resolved/,
    );

    // The choice reaches the other device, where the same conflict was queued: it is
    // settled there (not left open for a second review), with no resolver of its own.
    expect(readConflicts(laptop.clinic.db, laptop.doctor.id, { patientId: p.id }).map((c) => c.id)).toEqual([
      open[0]!.id,
    ]);
    expect((await laptop.clinic.sync.syncOnce(url, { timeoutMs: 30_000 })).converged).toBe(true);
    expect((await laptop.clinic.charts.read(p.id)).familyName).toBe('Al-Rawi');
    expect(readConflicts(laptop.clinic.db, laptop.doctor.id, { patientId: p.id })).toEqual([]);
    expect(readConflicts(laptop.clinic.db, laptop.doctor.id, { status: 'resolved' })).toMatchObject([
      { id: open[0]!.id, status: 'settled', resolvedBy: null, reason: SETTLED_ELSEWHERE },
    ]);
    expect(laptop.clinic.stats().conflicts).toBe(0);
  }, 90_000);

  it('settles a conflict that a later edit, made after seeing both values, replaced on the other device', async () => {
    const { desk, laptop, url } = await enrolledPair(hosts);
    const p = await desk.clinic.registerPatient(desk.doctor, registration('Huda'));
    expect((await laptop.clinic.sync.syncOnce(url, { timeoutMs: 30_000 })).converged).toBe(true);
    const setPhone = (h: TestHost, phone: string) =>
      h.clinic.charts.change(p.id, h.doctor.id, { action: 'test.edit' }, (d) => {
        d.demographics.phone = new A.ImmutableString(phone);
      });
    await setPhone(desk, '07701111111');
    await setPhone(laptop, '07702222222');
    expect((await laptop.clinic.sync.syncOnce(url, { timeoutMs: 30_000 })).converged).toBe(true);
    const queued = readConflicts(desk.clinic.db, desk.doctor.id, { patientId: p.id });
    expect(queued.map((c) => c.path)).toEqual([['demographics', 'phone']]);

    // On the laptop someone types the right number over both, without the review screen.
    await setPhone(laptop, '07703333333');
    expect((await laptop.clinic.sync.syncOnce(url, { timeoutMs: 30_000 })).converged).toBe(true);
    expect((await desk.clinic.charts.read(p.id)).phone).toBe('07703333333');
    expect(readConflicts(desk.clinic.db, desk.doctor.id, { patientId: p.id })).toEqual([]);
    expect(readConflicts(desk.clinic.db, desk.doctor.id, { status: 'all' })).toMatchObject([
      { id: queued[0]!.id, status: 'settled', reason: SETTLED_REPLACED },
    ]);
    const audit = desk.clinic.db
      .prepare("SELECT detail FROM audit_log WHERE action = 'sync.chart.received' AND detail LIKE '%settled%'")
      .all() as { detail: string }[];
    expect(audit.map((a) => JSON.parse(a.detail) as { settled: number }).map((d) => d.settled)).toEqual([1]);
  }, 90_000);
});

/** The handler as the dispatcher calls it (input already parsed), for the host's doctor. */
const callApi = (
  h: TestHost,
  method: 'conflicts.list',
  input: { status: 'open' | 'resolved' | 'all'; patientId?: string },
) =>
  handlers[method](
    {
      host: { clinic: h.clinic } as unknown as CallContext['host'],
      session: { user: h.doctor, token: 't', expiresAt: 'later' },
    },
    input,
  );

/** A register conflict on the family name, queued as sync would queue it (no second host needed). */
function queueFamilyNameConflict(h: TestHost, patientId: string, id: string) {
  const db = h.clinic.db;
  const documentId = getPatientRow(db, patientId)!.document_id;
  const record: ConflictRecord = {
    id,
    documentId,
    kind: 'concurrent-value',
    path: ['demographics', 'familyName'],
    values: [
      { value: 'Al-Rawi', actors: ['a1'] },
      { value: 'Al-Rawe', actors: ['a2'] },
    ],
    merged: 'Al-Rawe',
    heads: [],
  };
  db.transaction(() => sqliteConflictQueue(db, () => patientId).put(record, new Date().toISOString()))();
  return { documentId, record };
}

const auditRows = (h: TestHost, action?: string) =>
  h.clinic.db
    .prepare(
      'SELECT seq, action, patient_id, entity_id, detail FROM audit_log WHERE ? IS NULL OR action = ? ORDER BY seq',
    )
    .all(action ?? null, action ?? null) as {
    seq: number;
    action: string;
    patient_id: string | null;
    entity_id: string | null;
    detail: string | null;
  }[];

describe('conflicts.list audit', () => {
  it('one audit record per list call, with the count and the patients, however many conflicts it shows', async () => {
    const h = await openTestHost('list');
    hosts.push(h);
    const patients = [];
    for (const name of ['Layla', 'Zainab', 'Huda'])
      patients.push(await h.clinic.registerPatient(h.doctor, registration(name)));
    // Two conflicts on the first chart, one on each of the others.
    queueFamilyNameConflict(h, patients[0]!.id, 'a'.repeat(32));
    queueFamilyNameConflict(h, patients[0]!.id, 'b'.repeat(32));
    queueFamilyNameConflict(h, patients[1]!.id, 'c'.repeat(32));
    queueFamilyNameConflict(h, patients[2]!.id, 'd'.repeat(32));

    const before = auditRows(h).length;
    const listed = await callApi(h, 'conflicts.list', { status: 'open' });
    expect(listed.conflicts).toHaveLength(4);
    const written = auditRows(h).slice(before);
    expect(written.map((r) => r.action)).toEqual(['conflicts.read']);
    const detail = JSON.parse(written[0]!.detail!) as { conflicts: number; patients: number; ids: string[] };
    expect(detail.conflicts).toBe(4);
    expect(detail.patients).toBe(3);
    expect([...detail.ids].sort()).toEqual(patients.map((p) => p.id).sort());
    expect(written[0]!.patient_id).toBeNull();

    // Filtered by patient: still one record, with the patient in its column.
    const one = readConflicts(h.clinic.db, h.doctor.id, { patientId: patients[0]!.id });
    expect(one).toHaveLength(2);
    const last = auditRows(h).at(-1)!;
    expect(auditRows(h).length).toBe(before + 2);
    expect(last.patient_id).toBe(patients[0]!.id);
    expect(JSON.parse(last.detail!)).toMatchObject({ conflicts: 2, patients: 1, ids: [patients[0]!.id] });
  });

  it('bounds the patient ids it names (the count still says how many)', async () => {
    const h = await openTestHost('list-many');
    hosts.push(h);
    const p = await h.clinic.registerPatient(h.doctor, registration('Layla'));
    const n = AUDITED_PATIENT_IDS + 5;
    // Rows naming many patients (only the ids matter to the audit record).
    const { record } = queueFamilyNameConflict(h, p.id, 'e'.repeat(32));
    const insert = h.clinic.db.prepare(
      `INSERT INTO sync_conflicts (id, document_id, patient_id, kind, path, record_json, detected_at)
       VALUES (?, ?, ?, 'concurrent-value', 'demographics.familyName', ?, ?)`,
    );
    for (let i = 1; i < n; i++)
      insert.run(i.toString(16).padStart(32, '0'), record.documentId, `patient-${i}`, JSON.stringify(record), 'now');
    readConflicts(h.clinic.db, h.doctor.id, { status: 'open' });
    const detail = JSON.parse(auditRows(h, 'conflicts.read').at(-1)!.detail!) as { patients: number; ids: string[] };
    expect(detail.patients).toBe(n);
    expect(detail.ids).toHaveLength(AUDITED_PATIENT_IDS);
  });
});

describe('resolving a conflict is atomic in the database', () => {
  // Each way the database step can fail: the audit insert, or the queue row's update.
  const failures = [
    ['writing the audit record', `BEFORE INSERT ON audit_log WHEN NEW.action = 'conflict.resolve'`],
    ['marking the conflict resolved', 'BEFORE UPDATE ON sync_conflicts'],
  ] as const;

  for (const [what, when] of failures) {
    it(`a failure ${what} leaves nothing half-written, and the conflict can be resolved again`, async () => {
      const h = await openTestHost('atomic');
      hosts.push(h);
      const db = h.clinic.db;
      const p = await h.clinic.registerPatient(h.doctor, registration('Layla'));
      const id = 'f'.repeat(32);
      const { documentId } = queueFamilyNameConflict(h, p.id, id);
      const familyName = () =>
        (db.prepare('SELECT family_name FROM patients WHERE id = ?').get(p.id) as { family_name: string }).family_name;
      expect(familyName()).toBe('Hassan');
      const auditBefore = auditRows(h);

      db.exec(`CREATE TEMP TRIGGER fail_resolve ${when} BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
      await expect(resolveConflictById(h.clinic, h.doctor.id, id, { choose: 0 }, 'per the ID card')).rejects.toThrow(
        /disk full/,
      );
      // Nothing of the attempt in SQLite: the conflict open, no audit record, the old projection.
      expect(getConflict(db, id)).toMatchObject({
        status: 'open',
        resolved_by: null,
        reason: null,
        resolution_json: null,
      });
      expect(auditRows(h)).toEqual(auditBefore);
      expect(familyName()).toBe('Hassan');
      // The document may hold the choice already; the chart stays marked for re-projection.
      expect(h.clinic.charts.isPending(documentId)).toBe(true);
      expect(readConflicts(db, h.doctor.id, { patientId: p.id }).map((c) => c.id)).toEqual([id]);

      db.exec('DROP TRIGGER fail_resolve');
      const done = await resolveConflictById(h.clinic, h.doctor.id, id, { choose: 0 }, 'per the ID card');
      expect(done).toMatchObject({ status: 'resolved', resolvedBy: h.doctor.id, reason: 'per the ID card' });
      expect(familyName()).toBe('Al-Rawi');
      expect((await h.clinic.charts.read(p.id)).familyName).toBe('Al-Rawi');
      expect(h.clinic.charts.isPending(documentId)).toBe(false);
      const resolveAudit = auditRows(h).filter((r) => r.seq > auditBefore.at(-1)!.seq && r.action !== 'conflicts.read');
      expect(resolveAudit.map((r) => [r.action, r.patient_id, r.entity_id])).toEqual([['conflict.resolve', p.id, id]]);
      expect(verifyAuditChain(db).ok).toBe(true);
    });
  }

  it('refuses a second resolution of a conflict while one is being written', async () => {
    const h = await openTestHost('twice');
    hosts.push(h);
    const p = await h.clinic.registerPatient(h.doctor, registration('Layla'));
    const id = '1'.repeat(32);
    queueFamilyNameConflict(h, p.id, id);
    const first = resolveConflictById(h.clinic, h.doctor.id, id, { choose: 0 }, 'per the ID card');
    const second = resolveConflictById(h.clinic, h.doctor.id, id, { choose: 1 }, 'per the passport');
    await expect(second).rejects.toThrow(/already being resolved/);
    await expect(first).resolves.toMatchObject({ status: 'resolved', reason: 'per the ID card' });
    expect((await h.clinic.charts.read(p.id)).familyName).toBe('Al-Rawi');
    expect(auditRows(h, 'conflict.resolve')).toHaveLength(1);
  });
});
