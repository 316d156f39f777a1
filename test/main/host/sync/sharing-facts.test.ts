// The facts the share policy reads on a host: a chart's sharing fields (defaults for
// charts written before they existed; concurrent edits of teams merge), their
// projection, and device roles from the signed roster.
import * as A from '@automerge/automerge';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SHARING } from '../../../../main/api';
import { setDeviceRole } from '../../../../main/host/sync/device-roles';
import { hostShareFacts } from '../../../../main/host/sync/share-facts';
import { setPatientSharing } from '../../../../main/host/sync/sync-api';
import { applySharing, newChartDoc, readSharing, type ChartDoc } from '../../../../main/store/charts/chart-doc';
import { mayHold } from '../../../../sync';
import { openTestHost, registration, type TestHost } from './sync-fixture';

const hosts: TestHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

const chart = () =>
  newChartDoc(
    { givenName: 'A', familyName: 'B', sex: 'female', birthDate: '1990-01-01' },
    { patientId: 'p1', mrn: 'M-1', createdAt: '2025-01-01T00:00:00.000Z', userId: 'u1' },
  );

describe('sharing fields of the chart document', () => {
  it('a new chart starts with the defaults; a chart written before sharing existed reads as them', () => {
    expect(readSharing(chart())).toEqual(DEFAULT_SHARING);
    const { sharing: _none, ...withoutSharing } = chart();
    const older = A.from(withoutSharing as unknown as Record<string, unknown>);
    expect(readSharing(older as unknown as ChartDoc)).toEqual(DEFAULT_SHARING);
    // Whatever a peer put there that is not well formed reads as the defaults too.
    expect(readSharing({ sharing: { fieldTeams: 'T1', fieldCopies: 'no' } } as unknown as ChartDoc)).toEqual(
      DEFAULT_SHARING,
    );
  });

  it('teams assigned on two devices concurrently both stand; a chart without the field gets it', () => {
    const { sharing: _none, ...withoutSharing } = chart();
    let base = A.from(withoutSharing as unknown as Record<string, unknown>) as unknown as A.Doc<ChartDoc>;
    base = A.change(base, (d) => applySharing(d, { fieldTeamIds: ['T1'], fieldCopies: true, regionalHub: false }));
    expect(readSharing(base)).toEqual({ fieldTeamIds: ['T1'], fieldCopies: true, regionalHub: false });
    let left = A.clone(base);
    let right = A.clone(base);
    left = A.change(left, (d) =>
      applySharing(d, { fieldTeamIds: ['T1', 'T2'], fieldCopies: true, regionalHub: false }),
    );
    right = A.change(right, (d) =>
      applySharing(d, { fieldTeamIds: ['T1', 'T3'], fieldCopies: false, regionalHub: false }),
    );
    const merged = A.merge(left, right);
    expect(readSharing(merged)).toEqual({ fieldTeamIds: ['T1', 'T2', 'T3'], fieldCopies: false, regionalHub: false });
    // Taking a team off on one side while the other adds another: both changes stand.
    let a = A.clone(merged);
    let b = A.clone(merged);
    a = A.change(a, (d) => applySharing(d, { ...readSharing(d), fieldTeamIds: ['T2', 'T3'] }));
    b = A.change(b, (d) => applySharing(d, { ...readSharing(d), fieldTeamIds: ['T1', 'T2', 'T3', 'T4'] }));
    expect(readSharing(A.merge(a, b)).fieldTeamIds).toEqual(['T2', 'T3', 'T4']);
  });
});

describe('host share facts', () => {
  it('project the chart’s sharing and read device roles from the roster', async () => {
    const desk = await openTestHost('desk');
    const tab = await openTestHost('tab');
    hosts.push(desk, tab);
    const port = await desk.clinic.sync.listen({ port: 0, host: '127.0.0.1' });
    const { code } = await desk.clinic.sync.enrollmentCode(null);
    await tab.clinic.sync.join({ code, peerUrl: `ws://127.0.0.1:${port}`, deviceName: 'tab', actorId: null });
    const p = await desk.clinic.registerPatient(desk.doctor, registration('Noor'));
    const row = () =>
      desk.clinic.db.prepare('SELECT document_id, field_team_ids, field_copies, regional_hub FROM patients').get() as {
        document_id: string;
        field_team_ids: string;
        field_copies: number;
        regional_hub: number;
      };
    expect(row()).toMatchObject({ field_team_ids: '[]', field_copies: 1, regional_hub: 0 });
    await setPatientSharing(desk.clinic, desk.doctor.id, p.id, {
      fieldTeamIds: ['T2', 'T1', 'T2'],
      fieldCopies: true,
      regionalHub: true,
    });
    expect(row()).toMatchObject({ field_team_ids: '["T1","T2"]', field_copies: 1, regional_hub: 1 });
    const audited = desk.clinic.db
      .prepare("SELECT patient_id FROM audit_log WHERE action = 'patient.sharing'")
      .all() as { patient_id: string }[];
    expect(audited).toEqual([{ patient_id: p.id }]);

    const m = desk.clinic.sync.membership!;
    const facts = hostShareFacts({
      db: desk.clinic.db,
      clinicId: m.anchor.clinicId,
      isActive: desk.clinic.sync.rosterState!.isActive,
      clinicDocs: () => new Set([m.rosterDocId, m.catalogDocId]),
    });
    const doc = facts.document(row().document_id)!;
    expect(doc).toEqual({
      kind: 'patient',
      patientId: p.id,
      facilityId: m.anchor.clinicId,
      fieldTeamIds: ['T1', 'T2'],
      consent: { fieldCopies: true, regionalHub: true },
    });
    expect(facts.document(m.rosterDocId)).toEqual({ kind: 'roster' });
    expect(facts.document('unknown-doc')).toBeUndefined();
    expect(facts.device('stranger')).toBeUndefined();

    const tabId = tab.clinic.deviceId;
    expect(facts.device(tabId)).toMatchObject({ role: 'clinic', facilityIds: [m.anchor.clinicId] });
    setDeviceRole({ db: desk.clinic.db, sync: desk.clinic.sync }, null, {
      deviceId: tabId,
      role: 'field',
      teamIds: ['T3'],
    });
    expect(facts.device(tabId)).toEqual({ deviceId: tabId, role: 'field', facilityIds: [], teamIds: ['T3'] });
    expect(mayHold(facts.device(tabId)!, doc).allow).toBe(false);
    setDeviceRole({ db: desk.clinic.db, sync: desk.clinic.sync }, null, {
      deviceId: tabId,
      role: 'field',
      teamIds: ['T2'],
    });
    expect(mayHold(facts.device(tabId)!, doc).allow).toBe(true);
    setDeviceRole({ db: desk.clinic.db, sync: desk.clinic.sync }, null, { deviceId: tabId, role: 'hub', teamIds: [] });
    expect(facts.device(tabId)).toMatchObject({ role: 'hub', facilityIds: [m.anchor.clinicId] });
    expect(mayHold(facts.device(tabId)!, doc).allow).toBe(true); // consented above
    desk.clinic.sync.revoke(null, tabId, 'lost');
    expect(facts.device(tabId)).toBeUndefined();
  }, 60_000);
});
