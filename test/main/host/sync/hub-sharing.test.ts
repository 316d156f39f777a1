// The share policy at the regional hub, end to end: the official sync server (its own
// process, as shipped) behind the hub gateway of an enrolled hub host (role "hub"). The
// server keeps only charts whose patients consented to regional storage: no device
// leaves another there, and a device that holds one still converges. A field device
// that syncs only through the hub receives the charts of its team whose patients allow
// field copies and nothing else; a clinic device receives every chart the hub holds; a
// patient moved to the field device's team on a clinic device reaches it at its next
// sync. Going the
// other way, a field device's change to a chart it may no longer hold stops at the hub
// (neither the sync server nor the clinic gets it), while a patient it registered
// (a chart the hub does not hold yet) reaches the clinic.
//
// The devices learn the roster (which names the hub) on the LAN before any patient
// exists; from then on they meet only at the hub.
import * as A from '@automerge/automerge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setDeviceRole } from '../../../../main/host/sync/device-roles';
import { startHubGateway, type RunningHub } from '../../../../main/host/sync/hub';
import { UpstreamDocReader } from '../../../../main/host/sync/hub-upstream-reader';
import { setPatientSharing } from '../../../../main/host/sync/sync-api';
import { startSyncServer, type RunningSyncServer } from '../../../helpers/sync-server';
import {
  held,
  openTestHost,
  registration,
  restart as restartHost,
  until,
  sharing,
  type TestHost,
} from './sync-fixture';

/** A field device cannot converge with a hub (it may not hold every chart listed): its syncs get a time limit. */
const FIELD_SYNC_MS = 10_000;

let syncServer: RunningSyncServer | undefined;
let upstreamUrl: string;
const hosts: TestHost[] = [];
const hubs: RunningHub[] = [];

beforeAll(async () => {
  syncServer = await startSyncServer('hub-sharing');
  upstreamUrl = syncServer.url;
});

afterEach(async () => {
  for (const h of hubs.splice(0)) await h.close();
  for (const h of hosts.splice(0)) await h.close();
});

afterAll(() => syncServer?.stop());

const restart = (h: TestHost) => restartHost(h, hosts);

const documentIdOf = (h: TestHost, patientId: string) =>
  (h.clinic.db.prepare('SELECT document_id FROM patients WHERE id = ?').get(patientId) as { document_id: string })
    .document_id;

/** A chart's heads as the host last projected it (after every change, its own or received). */
const projectedHeads = (h: TestHost, patientId: string) =>
  (
    JSON.parse(
      (h.clinic.db.prepare('SELECT heads FROM patients WHERE id = ?').get(patientId) as { heads: string }).heads,
    ) as string[]
  ).sort();

const entryIds = (h: TestHost, patientId: string) =>
  (
    h.clinic.db.prepare('SELECT id FROM entries WHERE patient_id = ? ORDER BY id').all(patientId) as { id: string }[]
  ).map((r) => r.id);

/** The ids of the signed entries in the sync server's own copy of a chart (read as the hub reads it). */
async function entriesOnServer(documentId: string): Promise<string[] | undefined> {
  const reader = new UpstreamDocReader({ url: upstreamUrl, peerIdPrefix: 'test-reader' });
  try {
    return await reader.read(documentId, (doc) =>
      Object.keys((doc as { signedEntries?: Record<string, unknown> }).signedEntries ?? {}).sort(),
    );
  } finally {
    await reader.close();
  }
}

/** Heads of the sync server's copy of a document. */
async function headsOnServer(documentId: string): Promise<string[] | undefined> {
  const reader = new UpstreamDocReader({ url: upstreamUrl, peerIdPrefix: 'test-reader' });
  try {
    return await reader.read(documentId, (doc) => A.getHeads(doc).sort());
  } finally {
    await reader.close();
  }
}

/** Log lines of frames the hub refused coming from this device. */
const droppedIn = (log: string[], deviceId: string) =>
  log.filter((l) => l.startsWith(`hub: dropped ${deviceId}`) && l.endsWith(', in)'));

/** Charts the hub may keep: their patients consented to regional storage. */
const atHub = (teams: string[], over: Parameters<typeof sharing>[1] = {}) =>
  sharing(teams, { regionalHub: true, ...over });

/**
 * A desk (administrator device, listening on the LAN), a tablet made a field device of
 * team T1, a laptop (clinic device), and a hub enrolled last, given the role "hub", and
 * serving the gateway.
 */
async function clinicWithHub(opts: { roleAfterHubJoined?: boolean; laptopMissesHubRole?: boolean } = {}) {
  const desk = await openTestHost('desk');
  const tablet = await openTestHost('tablet');
  const laptop = await openTestHost('laptop');
  const hubHost = await openTestHost('hub');
  hosts.push(desk, tablet, laptop, hubHost);
  const lanPort = await desk.clinic.sync.listen({ port: 0, host: '127.0.0.1' });
  const lan = `ws://127.0.0.1:${lanPort}`;
  for (const [h, name] of [
    [tablet, 'tablet'],
    [laptop, 'laptop'],
    [hubHost, 'hub'],
  ] as const) {
    const { code } = await desk.clinic.sync.enrollmentCode(null);
    await h.clinic.sync.join({ code, peerUrl: lan, deviceName: name, actorId: null });
    if (h === laptop && !opts.roleAfterHubJoined)
      setDeviceRole({ db: desk.clinic.db, sync: desk.clinic.sync }, null, {
        deviceId: tablet.clinic.deviceId,
        role: 'field',
        teamIds: ['T1'],
      });
  }
  // The laptop may learn the roster before the hub is given its role (so it takes the
  // hub for a clinic device, which may hold every chart).
  if (opts.laptopMissesHubRole) await laptop.clinic.sync.syncOnce(lan, { timeoutMs: 20_000 });
  setDeviceRole({ db: desk.clinic.db, sync: desk.clinic.sync }, null, {
    deviceId: hubHost.clinic.deviceId,
    role: 'hub',
    teamIds: [],
  });
  // The hub, tablet and laptop learn the roster that names the hub (no patient exists yet).
  await hubHost.clinic.sync.syncOnce(lan, { timeoutMs: 20_000 });
  await tablet.clinic.sync.syncOnce(lan, { timeoutMs: 20_000 });
  if (!opts.laptopMissesHubRole) await laptop.clinic.sync.syncOnce(lan, { timeoutMs: 20_000 });
  expect(hubHost.clinic.sync.roster?.devices.get(tablet.clinic.deviceId)).toMatchObject(
    opts.roleAfterHubJoined ? { role: 'clinic' } : { role: 'field', teamIds: ['T1'] },
  );
  const log: string[] = [];
  const hub = await startHubGateway({
    sync: hubHost.clinic.sync,
    upstreamUrl,
    port: 0,
    host: '127.0.0.1',
    log: (line) => log.push(line),
  });
  hubs.push(hub);
  return { desk, tablet, laptop, hubHost, hubUrl: `ws://127.0.0.1:${hub.port}`, log };
}

describe('share policy at the regional hub (real sync server)', () => {
  it('a field device gets only its team’s charts that allow field copies; a clinic device all the hub holds; a reassignment counts at the next sync', async () => {
    const { desk, laptop, hubUrl, log, ...rest } = await clinicWithHub();
    let tablet = rest.tablet;
    const doctor = desk.doctor;
    const mine = await desk.clinic.registerPatient(doctor, registration('TeamOne'));
    const other = await desk.clinic.registerPatient(doctor, registration('TeamTwo'));
    const refused = await desk.clinic.registerPatient(doctor, registration('Refused'));
    const none = await desk.clinic.registerPatient(doctor, registration('NoTeam'));
    const local = await desk.clinic.registerPatient(doctor, registration('NoConsent'));
    await setPatientSharing(desk.clinic, doctor.id, mine.id, atHub(['T1']));
    await setPatientSharing(desk.clinic, doctor.id, other.id, atHub(['T2']));
    await setPatientSharing(desk.clinic, doctor.id, refused.id, atHub(['T1'], { fieldCopies: false }));
    await setPatientSharing(desk.clinic, doctor.id, none.id, atHub([]));
    // Assigned to the tablet's team, but not consented to regional storage: never at the hub.
    await setPatientSharing(desk.clinic, doctor.id, local.id, sharing(['T1']));
    desk.clinic.recordEntry(doctor, mine.id, 'note', { text: 'home visit planned' });
    desk.clinic.recordEntry(doctor, other.id, 'note', { text: 'not for team one' });
    desk.clinic.recordEntry(doctor, local.id, 'note', { text: 'kept at the clinic' });
    const all = [mine.id, other.id, refused.id, none.id].sort();

    // The desk leaves every consented chart at the hub, and is in sync with it.
    const d1 = await desk.clinic.sync.syncOnce(hubUrl, { timeoutMs: 60_000 });
    expect(d1.converged).toBe(true);
    for (const id of all) expect(await headsOnServer(documentIdOf(desk, id))).toEqual(projectedHeads(desk, id));
    expect(await headsOnServer(documentIdOf(desk, local.id))).toBeUndefined();

    // The field device of team T1 gets its one chart, whole, and nothing else.
    await tablet.clinic.sync.syncOnce(hubUrl, { timeoutMs: FIELD_SYNC_MS });
    expect(held(tablet)).toEqual([mine.id]);
    const chart = await tablet.clinic.getChart(tablet.doctor, mine.id);
    expect(chart.chart.sharing).toEqual(atHub(['T1']));
    expect(chart.entries.map((e) => e.signatureValid)).toEqual([true]);
    const tabletEntries = tablet.clinic.db.prepare('SELECT DISTINCT patient_id FROM entries').all() as {
      patient_id: string;
    }[];
    expect(tabletEntries.map((e) => e.patient_id)).toEqual([mine.id]);
    // It was the hub that kept the others back (the tablet asked for every chart it lacked).
    const dropped = (deviceId: string) => log.filter((l) => l.startsWith(`hub: dropped ${deviceId}`)).length;
    expect(dropped(tablet.clinic.deviceId)).toBeGreaterThan(0);

    // A clinic device gets every chart the hub holds, and converges without the one it does not.
    const l1 = await laptop.clinic.sync.syncOnce(hubUrl, { timeoutMs: 60_000 });
    expect(l1.converged).toBe(true);
    expect(held(laptop)).toEqual(all);
    expect(await headsOnServer(documentIdOf(desk, local.id))).toBeUndefined();
    expect((await laptop.clinic.getChart(laptop.doctor, other.id)).entries).toHaveLength(1);
    expect(dropped(laptop.clinic.deviceId)).toBe(0);

    // The patient of team T2 is moved to T1 on the desk, which syncs with the hub.
    await setPatientSharing(desk.clinic, doctor.id, other.id, atHub(['T1']));
    const d2 = await desk.clinic.sync.syncOnce(hubUrl, { timeoutMs: 60_000 });
    expect(d2.converged).toBe(true);
    // At its next sync the tablet gets it, and still not the other two.
    tablet = await restart(tablet);
    await tablet.clinic.sync.syncOnce(hubUrl, { timeoutMs: FIELD_SYNC_MS });
    expect(held(tablet)).toEqual([mine.id, other.id].sort());
    const moved = await tablet.clinic.getChart(tablet.doctor, other.id);
    expect(moved.chart.sharing.fieldTeamIds).toEqual(['T1']);
    expect(moved.entries.map((e) => e.signatureValid)).toEqual([true]);
    expect(held(tablet)).not.toContain(refused.id);
    expect(held(tablet)).not.toContain(none.id);
  }, 240_000);

  it('a device made a field device after the hub joined is judged as one once the roster document reaches the hub', async () => {
    const { desk, tablet, hubHost, hubUrl } = await clinicWithHub({ roleAfterHubJoined: true });
    const mine = await desk.clinic.registerPatient(desk.doctor, registration('TeamOne'));
    const other = await desk.clinic.registerPatient(desk.doctor, registration('TeamTwo'));
    await setPatientSharing(desk.clinic, desk.doctor.id, mine.id, atHub(['T1']));
    await setPatientSharing(desk.clinic, desk.doctor.id, other.id, atHub(['T2']));
    // The role is set on the desk only; the hub learns it from the roster document the
    // desk leaves on the sync server (the hub follows it there).
    setDeviceRole({ db: desk.clinic.db, sync: desk.clinic.sync }, null, {
      deviceId: tablet.clinic.deviceId,
      role: 'field',
      teamIds: ['T1'],
    });
    expect((await desk.clinic.sync.syncOnce(hubUrl, { timeoutMs: 60_000 })).converged).toBe(true);
    await until(
      () => hubHost.clinic.sync.roster?.devices.get(tablet.clinic.deviceId)?.role === 'field',
      30_000,
      'the hub to learn the tablet’s role',
    );
    await tablet.clinic.sync.syncOnce(hubUrl, { timeoutMs: FIELD_SYNC_MS });
    expect(held(tablet)).toEqual([mine.id]);
  }, 180_000);

  it('a field device moved to another team cannot push its offline edits of a chart it held: neither the server nor the clinic gets them', async () => {
    const { desk, hubHost, hubUrl, log, ...rest } = await clinicWithHub();
    let tablet = rest.tablet;
    const p = await desk.clinic.registerPatient(desk.doctor, registration('TeamOne'));
    await setPatientSharing(desk.clinic, desk.doctor.id, p.id, atHub(['T1']));
    const deskEntry = desk.clinic.recordEntry(desk.doctor, p.id, 'note', { text: 'seen at the clinic' });
    expect((await desk.clinic.sync.syncOnce(hubUrl, { timeoutMs: 60_000 })).converged).toBe(true);

    // While in team T1 the tablet holds the chart.
    await tablet.clinic.sync.syncOnce(hubUrl, { timeoutMs: FIELD_SYNC_MS });
    expect(held(tablet)).toEqual([p.id]);
    const documentId = documentIdOf(tablet, p.id);
    expect(droppedIn(log, tablet.clinic.deviceId)).toEqual([]);

    // The tablet is moved to team T2; the hub learns it from the roster the desk leaves there.
    setDeviceRole({ db: desk.clinic.db, sync: desk.clinic.sync }, null, {
      deviceId: tablet.clinic.deviceId,
      role: 'field',
      teamIds: ['T2'],
    });
    expect((await desk.clinic.sync.syncOnce(hubUrl, { timeoutMs: 60_000 })).converged).toBe(true);
    await until(
      () => hubHost.clinic.sync.roster?.devices.get(tablet.clinic.deviceId)?.teamIds.includes('T2') === true,
      30_000,
      'the hub to learn the tablet’s new team',
    );

    // Offline, not knowing, the tablet records an entry in the chart it still holds, then syncs.
    const late = tablet.clinic.recordEntry(tablet.doctor, p.id, 'note', { text: 'visited after the move' });
    tablet = await restart(tablet);
    await tablet.clinic.sync.syncOnce(hubUrl, { timeoutMs: FIELD_SYNC_MS });
    expect(entryIds(tablet, p.id).sort()).toEqual([deskEntry.id, late.id].sort());
    // The hub refused the change as it came in.
    expect(droppedIn(log, tablet.clinic.deviceId).length).toBeGreaterThan(0);

    // The sync server's copy is the desk's: its entry, not the tablet's, at the desk's heads.
    expect(await entriesOnServer(documentId)).toEqual([deskEntry.id]);
    const deskHeads = projectedHeads(desk, p.id);
    expect(projectedHeads(tablet, p.id)).not.toEqual(deskHeads);
    expect(await headsOnServer(documentId)).toEqual(deskHeads);

    // And the desk, syncing again through the hub (a new process, as `sijill sync` is), never gets it.
    const desk2 = await restart(desk);
    await desk2.clinic.sync.syncOnce(hubUrl, { timeoutMs: 60_000 });
    expect(entryIds(desk2, p.id)).toEqual([deskEntry.id]);
  }, 240_000);

  it('a patient registered on a field device (a chart the hub does not hold yet) reaches the clinic through the hub', async () => {
    const { desk, tablet, hubUrl, log } = await clinicWithHub();
    // Registered in the field: assigned to no team yet, so no chart facts speak for the
    // tablet; the patient consents to regional storage there.
    const p = await tablet.clinic.registerPatient(tablet.doctor, registration('FieldNew'));
    await setPatientSharing(tablet.clinic, tablet.doctor.id, p.id, atHub([]));
    const entry = tablet.clinic.recordEntry(tablet.doctor, p.id, 'note', { text: 'registered at a home visit' });
    // Another, who did not consent: it stays on the tablet until it meets the clinic.
    const q = await tablet.clinic.registerPatient(tablet.doctor, registration('FieldLocal'));
    await tablet.clinic.sync.syncOnce(hubUrl, { timeoutMs: FIELD_SYNC_MS });
    expect(droppedIn(log, tablet.clinic.deviceId)).toEqual([]);
    expect(await entriesOnServer(documentIdOf(tablet, p.id))).toEqual([entry.id]);
    expect(await headsOnServer(documentIdOf(tablet, q.id))).toBeUndefined();

    const desk2 = await restart(desk);
    expect((await desk2.clinic.sync.syncOnce(hubUrl, { timeoutMs: 60_000 })).converged).toBe(true);
    expect(held(desk2)).toEqual([p.id]);
    const chart = await desk2.clinic.getChart(desk2.doctor, p.id);
    expect(chart.chart.givenName).toBe('FieldNew');
    expect(chart.entries.map((e) => [e.id, e.signatureValid])).toEqual([[entry.id, true]]);
  }, 180_000);

  it('the gateway keeps a chart without regional consent off the sync server, from a device that does not know the hub’s role', async () => {
    const { laptop, hubHost, hubUrl, log } = await clinicWithHub({ laptopMissesHubRole: true });
    expect(laptop.clinic.sync.roster?.devices.get(hubHost.clinic.deviceId)?.role).toBe('clinic');
    const yes = await laptop.clinic.registerPatient(laptop.doctor, registration('Consented'));
    await setPatientSharing(laptop.clinic, laptop.doctor.id, yes.id, atHub([]));
    const no = await laptop.clinic.registerPatient(laptop.doctor, registration('NotConsented'));
    laptop.clinic.recordEntry(laptop.doctor, no.id, 'note', { text: 'stays in the clinic' });
    // The laptop offers both; the gateway refuses one.
    await laptop.clinic.sync.syncOnce(hubUrl, { timeoutMs: FIELD_SYNC_MS });
    expect(await headsOnServer(documentIdOf(laptop, yes.id))).toEqual(projectedHeads(laptop, yes.id));
    expect(await headsOnServer(documentIdOf(laptop, no.id))).toBeUndefined();
    expect(droppedIn(log, laptop.clinic.deviceId).length).toBeGreaterThan(0);
  }, 180_000);

  it('a chart a device learnt of while no connected peer could give it is asked of the hub when the hub connects', async () => {
    const { desk, tablet, laptop, hubUrl } = await clinicWithHub();
    const p = await desk.clinic.registerPatient(desk.doctor, registration('AtTheHub'));
    await setPatientSharing(desk.clinic, desk.doctor.id, p.id, atHub([]));
    expect((await desk.clinic.sync.syncOnce(hubUrl, { timeoutMs: 60_000 })).converged).toBe(true);
    // The field tablet (p is not its team's) learns of p from the catalog, not p itself.
    await tablet.clinic.sync.syncOnce(hubUrl, { timeoutMs: FIELD_SYNC_MS });
    expect(held(tablet)).not.toContain(p.id);
    // The laptop meets only the tablet: it learns of p there, asks, and is refused.
    const tabletPort = await tablet.clinic.sync.listen({ port: 0, host: '127.0.0.1' });
    await laptop.clinic.sync.syncOnce(`ws://127.0.0.1:${tabletPort}`, { timeoutMs: FIELD_SYNC_MS });
    expect(held(laptop)).not.toContain(p.id);
    // Then the hub (which lists nothing in the catalog): p is asked for again, and arrives.
    expect((await laptop.clinic.sync.syncOnce(hubUrl, { timeoutMs: 30_000 })).converged).toBe(true);
    expect(held(laptop)).toContain(p.id);
  }, 180_000);
});
