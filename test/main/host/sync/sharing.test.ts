// The share policy end to end, over the real authenticated adapters: a device's role
// and teams come from a signed roster operation an administrator device made, a
// patient's teams and consent from the chart; a field device receives exactly the
// charts of its teams whose patients allow field copies, a clinic device everything,
// and changes of either take effect at the next sync.
//
// A field device that may not hold every chart cannot "converge" as SyncService
// defines it (it compares the whole catalog); its syncs get a short time limit and
// the tests assert what it holds once syncOnce returns.
import { afterEach, describe, expect, it } from 'vitest';
import { setDeviceRole } from '../../../../main/host/sync/device-roles';
import { exportBundleFile, importBundleFile } from '../../../../main/host/sync/bundle-exchange';
import { bundleContextOf, setPatientSharing, syncStatus } from '../../../../main/host/sync/sync-api';
import { held, openTestHost, registration, restart as restartHost, sharing, type TestHost } from './sync-fixture';

const hosts: TestHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

/** How long a field device's sync may take before it is judged by what it holds. */
const FIELD_SYNC_MS = 6_000;

const restart = (h: TestHost) => restartHost(h, hosts);

async function clinicWithDevices() {
  const desk = await openTestHost('desk');
  const tablet = await openTestHost('tablet');
  const laptop = await openTestHost('laptop');
  hosts.push(desk, tablet, laptop);
  const port = await desk.clinic.sync.listen({ port: 0, host: '127.0.0.1' });
  const url = `ws://127.0.0.1:${port}`;
  for (const [h, name] of [
    [tablet, 'tablet'],
    [laptop, 'laptop'],
  ] as const) {
    const { code } = await desk.clinic.sync.enrollmentCode(null);
    await h.clinic.sync.join({ code, peerUrl: url, deviceName: name, actorId: null });
  }
  return { desk, tablet, laptop, url };
}

const asAdmin = (h: TestHost, deviceId: string, role: 'clinic' | 'field' | 'hub', teamIds: string[] = []) =>
  setDeviceRole({ db: h.clinic.db, sync: h.clinic.sync }, null, { deviceId, role, teamIds });

describe('share policy through the host', () => {
  it('a field device receives exactly its team’s charts whose patients allow field copies; a clinic device all', async () => {
    const { desk, tablet, laptop, url } = await clinicWithDevices();
    const doctor = desk.doctor;
    const p1 = await desk.clinic.registerPatient(doctor, registration('TeamOne'));
    const p2 = await desk.clinic.registerPatient(doctor, registration('TeamTwo'));
    const p3 = await desk.clinic.registerPatient(doctor, registration('NoTeam'));
    const p4 = await desk.clinic.registerPatient(doctor, registration('Refused'));
    await setPatientSharing(desk.clinic, doctor.id, p1.id, sharing(['T1']));
    await setPatientSharing(desk.clinic, doctor.id, p2.id, sharing(['T2']));
    await setPatientSharing(desk.clinic, doctor.id, p4.id, sharing(['T1'], { fieldCopies: false }));
    desk.clinic.recordEntry(doctor, p1.id, 'note', { text: 'home visit planned' });

    const r = asAdmin(desk, tablet.clinic.deviceId, 'field', ['T1']);
    expect(r).toMatchObject({ changed: true, device: { role: 'field', teamIds: ['T1'] } });
    // The status the Peers screen reads names the role once the tablet has synced.

    const t1 = await tablet.clinic.sync.syncOnce(url, { timeoutMs: FIELD_SYNC_MS });
    expect(t1.peer).toBe(desk.clinic.deviceId);
    // It holds all it may hold: the sync converges (charts kept from it are not waited for).
    expect(t1.converged).toBe(true);
    expect(held(tablet)).toEqual([p1.id]);
    // Its chart arrived whole: demographics, sharing facts and the signed entry.
    const chart = await tablet.clinic.getChart(tablet.doctor, p1.id);
    expect(chart.chart.sharing).toEqual(sharing(['T1']));
    expect(chart.entries.map((e) => e.signatureValid)).toEqual([true]);
    // The tablet learnt its own role from the roster document.
    expect(tablet.clinic.sync.roster?.devices.get(tablet.clinic.deviceId)?.role).toBe('field');
    const onDesk = syncStatus(desk.clinic).peers.find((p) => p.deviceId === tablet.clinic.deviceId);
    expect(onDesk).toMatchObject({ role: 'field', teamIds: ['T1'] });

    // A clinic device (the default role) still gets everything, and converges.
    const l1 = await laptop.clinic.sync.syncOnce(url, { timeoutMs: 30_000 });
    expect(l1.converged).toBe(true);
    expect(held(laptop)).toEqual([p1.id, p2.id, p3.id, p4.id].sort());
    expect(held(tablet)).toEqual([p1.id]);
  }, 90_000);

  it('a change of assignment, consent or device role takes effect at the next sync', async () => {
    const devices = await clinicWithDevices();
    const { desk, url } = devices;
    let tablet = devices.tablet;
    const doctor = desk.doctor;
    const a = await desk.clinic.registerPatient(doctor, registration('Amal'));
    const b = await desk.clinic.registerPatient(doctor, registration('Basim', { sex: 'male' }));
    const c = await desk.clinic.registerPatient(doctor, registration('Dalia'));
    await setPatientSharing(desk.clinic, doctor.id, a.id, sharing(['T1']));
    asAdmin(desk, tablet.clinic.deviceId, 'field', ['T1']);
    await tablet.clinic.sync.syncOnce(url, { timeoutMs: FIELD_SYNC_MS });
    expect(held(tablet)).toEqual([a.id]);

    // b is assigned to the tablet's team: it arrives at the next sync.
    await setPatientSharing(desk.clinic, doctor.id, b.id, sharing(['T1']));
    tablet = await restart(tablet);
    await tablet.clinic.sync.syncOnce(url, { timeoutMs: FIELD_SYNC_MS });
    expect(held(tablet)).toEqual([a.id, b.id].sort());

    // a is taken off the team: the tablet keeps the copy it had, but later changes no longer reach it.
    await setPatientSharing(desk.clinic, doctor.id, a.id, sharing([]));
    await desk.clinic.addAllergy(doctor, a.id, 'penicillin');
    // b refuses field copies from now on: the same.
    await setPatientSharing(desk.clinic, doctor.id, b.id, sharing(['T1'], { fieldCopies: false }));
    await desk.clinic.addAllergy(doctor, b.id, 'latex');
    tablet = await restart(tablet);
    await tablet.clinic.sync.syncOnce(url, { timeoutMs: FIELD_SYNC_MS });
    expect((await tablet.clinic.charts.read(a.id)).allergies).toEqual([]);
    expect((await tablet.clinic.charts.read(b.id)).allergies).toEqual([]);
    expect((await tablet.clinic.charts.read(a.id)).sharing.fieldTeamIds).toEqual(['T1']);
    expect(held(tablet)).not.toContain(c.id);

    // The device's teams change: c's team is now one of the tablet's.
    await setPatientSharing(desk.clinic, doctor.id, c.id, sharing(['T7']));
    asAdmin(desk, tablet.clinic.deviceId, 'field', ['T1', 'T7']);
    tablet = await restart(tablet);
    await tablet.clinic.sync.syncOnce(url, { timeoutMs: FIELD_SYNC_MS });
    expect(held(tablet)).toEqual([a.id, b.id, c.id].sort());

    // Made a clinic device again: it receives everything, and the sync converges.
    asAdmin(desk, tablet.clinic.deviceId, 'clinic');
    tablet = await restart(tablet);
    const r = await tablet.clinic.sync.syncOnce(url, { timeoutMs: 30_000 });
    expect(r.converged).toBe(true);
    expect((await tablet.clinic.charts.read(a.id)).allergies.map((x) => x.text)).toEqual(['penicillin']);
    expect((await tablet.clinic.charts.read(b.id)).allergies.map((x) => x.text)).toEqual(['latex']);
  }, 120_000);

  it('what a field device records reaches the clinic device (the policy limits what it is sent)', async () => {
    const { desk, tablet, url } = await clinicWithDevices();
    asAdmin(desk, tablet.clinic.deviceId, 'field', ['T1']);
    const secret = await desk.clinic.registerPatient(desk.doctor, registration('Clinic only'));
    const q = await tablet.clinic.registerPatient(tablet.doctor, registration('Met in the field'));
    await setPatientSharing(tablet.clinic, tablet.doctor.id, q.id, sharing(['T1']));
    tablet.clinic.recordEntry(tablet.doctor, q.id, 'note', { text: 'seen at home' });
    await tablet.clinic.sync.syncOnce(url, { timeoutMs: FIELD_SYNC_MS });
    expect(held(desk)).toEqual([secret.id, q.id].sort());
    expect(held(tablet)).toEqual([q.id]);
    expect((await desk.clinic.charts.read(q.id)).sharing.fieldTeamIds).toEqual(['T1']);
  }, 90_000);

  it('a hub role needs the patient’s consent to regional storage (not given by default)', async () => {
    const { desk, laptop, url } = await clinicWithDevices();
    const yes = await desk.clinic.registerPatient(desk.doctor, registration('Consented'));
    const no = await desk.clinic.registerPatient(desk.doctor, registration('Default'));
    await setPatientSharing(desk.clinic, desk.doctor.id, yes.id, sharing([], { regionalHub: true }));
    // The laptop stands in for a hub device here (the policy judges the device, not the software).
    asAdmin(desk, laptop.clinic.deviceId, 'hub');
    await laptop.clinic.sync.syncOnce(url, { timeoutMs: FIELD_SYNC_MS });
    expect(held(laptop)).toEqual([yes.id]);
    expect(held(laptop)).not.toContain(no.id);
  }, 90_000);

  it('refuses a caller without the revocation permission, a non-admin device and a device not on the roster', async () => {
    const { desk, tablet } = await clinicWithDevices();
    expect(() =>
      setDeviceRole(
        { db: desk.clinic.db, sync: desk.clinic.sync },
        { id: desk.doctor.id, role: 'doctor' },
        {
          deviceId: tablet.clinic.deviceId,
          role: 'field',
          teamIds: ['T1'],
        },
      ),
    ).toThrow(/revoke/);
    // The tablet is not an administrator device: it cannot sign roster operations.
    expect(() => asAdmin(tablet, tablet.clinic.deviceId, 'clinic', [])).not.toThrow(); // unchanged: nothing to sign
    expect(() => asAdmin(tablet, tablet.clinic.deviceId, 'field', ['T1'])).toThrow(/administrator device/);
    expect(() => asAdmin(desk, 'nobody', 'field', ['T1'])).toThrow(/not on the roster/);
    // Nothing was stored or audited by the refusals.
    const audits = desk.clinic.db
      .prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'sync.device.role'")
      .get() as { n: number };
    expect(audits.n).toBe(0);
    asAdmin(desk, tablet.clinic.deviceId, 'field', ['T1']);
    const row = desk.clinic.db
      .prepare("SELECT entity_id, detail FROM audit_log WHERE action = 'sync.device.role'")
      .get() as { entity_id: string; detail: string };
    expect(row.entity_id).toBe(tablet.clinic.deviceId);
    expect(JSON.parse(row.detail)).toEqual({ role: 'field', teamIds: ['T1'] });
  }, 60_000);

  it('a bundle exported for a field device carries only the charts it may hold', async () => {
    const { desk, tablet } = await clinicWithDevices();
    const mine = await desk.clinic.registerPatient(desk.doctor, registration('Team one'));
    const other = await desk.clinic.registerPatient(desk.doctor, registration('Team two'));
    await setPatientSharing(desk.clinic, desk.doctor.id, mine.id, sharing(['T1']));
    await setPatientSharing(desk.clinic, desk.doctor.id, other.id, sharing(['T2']));
    asAdmin(desk, tablet.clinic.deviceId, 'field', ['T1']);
    // The tablet never syncs over the network: everything reaches it by USB.
    desk.clinic.recordEntry(desk.doctor, mine.id, 'note', { text: 'by bundle' });
    await desk.clinic.sync.publish();
    const out = await exportBundleFile(bundleContextOf(desk.clinic), null, tablet.clinic.deviceId);
    await importBundleFile(bundleContextOf(tablet.clinic), null, out.file);
    expect(held(tablet)).toEqual([mine.id]);
    const entries = tablet.clinic.db.prepare('SELECT patient_id FROM entries').all() as { patient_id: string }[];
    expect(entries.map((e) => e.patient_id)).toEqual([mine.id]);
  }, 60_000);

  it('within one running process, a device moved to another team gets that team’s charts at the next sync', async () => {
    const { desk, tablet, url } = await clinicWithDevices();
    const b = await desk.clinic.registerPatient(desk.doctor, registration('Team one'));
    await setPatientSharing(desk.clinic, desk.doctor.id, b.id, sharing(['T1']));
    asAdmin(desk, tablet.clinic.deviceId, 'field', ['T2']);
    await tablet.clinic.sync.syncOnce(url, { timeoutMs: FIELD_SYNC_MS });
    expect(held(tablet)).toEqual([]);
    // The chart does not change; the tablet's role does (a roster operation).
    asAdmin(desk, tablet.clinic.deviceId, 'field', ['T1']);
    await tablet.clinic.sync.syncOnce(url, { timeoutMs: FIELD_SYNC_MS });
    await tablet.clinic.sync.syncOnce(url, { timeoutMs: FIELD_SYNC_MS });
    expect(held(tablet)).toEqual([b.id]);
  }, 60_000);

  // A chart refused once (another team) is asked for again when its catalog entry
  // changes, as a new assignment changes the chart: no restart needed.
  it('within one running process, a newly assigned chart arrives at the next sync', async () => {
    const { desk, tablet, url } = await clinicWithDevices();
    const b = await desk.clinic.registerPatient(desk.doctor, registration('Later'));
    asAdmin(desk, tablet.clinic.deviceId, 'field', ['T1']);
    await tablet.clinic.sync.syncOnce(url, { timeoutMs: FIELD_SYNC_MS });
    expect(held(tablet)).toEqual([]);
    await setPatientSharing(desk.clinic, desk.doctor.id, b.id, sharing(['T1']));
    await tablet.clinic.sync.syncOnce(url, { timeoutMs: FIELD_SYNC_MS });
    expect(held(tablet)).toEqual([b.id]);
  }, 60_000);
});
