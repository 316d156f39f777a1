// Clinics for host-level sync tests: each its own data directory and device key
// (initDataDir per device — copies of one template would share a device id), a
// doctor to write with, and helpers that read what a clinic holds.
import { join } from 'node:path';
import type { PatientRegistration, PatientSharing } from '../../../../main/api';
import { Clinic, type ClinicOptions } from '../../../../main/host/clinic';
import { initDataDir, openDataDir } from '../../../../main/store/data-dir';
import { getUser, type UserRow } from '../../../../main/access/users';
import { insertTestUser } from '../../../helpers/store';
import { makeTempDir, removeDir } from '../../../helpers/temp-dir';

export interface TestHost {
  clinic: Clinic;
  doctor: UserRow;
  dir: string;
  close(): Promise<void>;
}

/** Every test host's passphrase. */
export const PASSPHRASE = 'correct horse battery staple';

export async function openTestHost(name: string, opts: ClinicOptions = {}): Promise<TestHost> {
  const dir = join(makeTempDir(`sijill-sync-${name}`), 'data');
  const store = await initDataDir(dir, { clinicName: `Clinic ${name}`, passphrase: PASSPHRASE });
  const doctor = insertTestUser(store.db, store.dataKey, { role: 'doctor', displayName: `Dr. ${name}` });
  const clinic = await Clinic.open(store, opts);
  let closed = false;
  return {
    clinic,
    doctor: getUser(store.db, doctor.row.id)!,
    dir,
    async close() {
      if (closed) return;
      closed = true;
      await clinic.close();
      removeDir(join(dir, '..'));
    },
  };
}

/**
 * The same data directory in a new process, as each `sijill sync` run is: closes the
 * host's clinic, opens it again, and puts the new host in its place in `hosts`.
 */
export async function restart(h: TestHost, hosts: TestHost[]): Promise<TestHost> {
  await h.clinic.close();
  const clinic = await Clinic.open(await openDataDir(h.dir, PASSPHRASE));
  const next: TestHost = {
    clinic,
    doctor: h.doctor,
    dir: h.dir,
    async close() {
      await clinic.close();
      removeDir(join(h.dir, '..'));
    },
  };
  hosts.splice(hosts.indexOf(h), 1, next);
  return next;
}

/** A desk listening on 127.0.0.1 and a laptop enrolled with it (both closed after the test by `hosts`). */
export async function enrolledPair(hosts: TestHost[], opts: ClinicOptions = {}) {
  const desk = await openTestHost('desk', opts);
  const laptop = await openTestHost('laptop', opts);
  hosts.push(desk, laptop);
  const port = await desk.clinic.sync.listen({ port: 0, host: '127.0.0.1' });
  const url = `ws://127.0.0.1:${port}`;
  const { code } = await desk.clinic.sync.enrollmentCode(null);
  await laptop.clinic.sync.join({ code, peerUrl: url, deviceName: 'laptop', actorId: null });
  return { desk, laptop, url };
}

export const registration = (given: string, extra: Partial<PatientRegistration> = {}): PatientRegistration =>
  ({ givenName: given, familyName: 'Hassan', sex: 'female', birthDate: '1990-05-01', ...extra }) as PatientRegistration;

/** Patients, chart contents and entries as comparable plain data. */
export async function snapshot(h: TestHost) {
  const db = h.clinic.db;
  const patients = (db.prepare('SELECT id FROM patients ORDER BY id').all() as { id: string }[]).map((r) => r.id);
  const charts: Record<string, unknown> = {};
  for (const id of patients) {
    const c = await h.clinic.charts.read(id);
    charts[id] = { ...c, updatedAt: undefined };
  }
  const entries = db
    .prepare('SELECT id, canonical, hex(content_hash) AS h, hex(signature) AS s FROM entries ORDER BY id')
    .all();
  return { patients, charts, entries };
}

export const until = async (cond: () => boolean | Promise<boolean>, ms = 15_000, what = 'condition') => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** A chart's sharing: these field teams, field copies allowed, no regional consent, unless overridden. */
export const sharing = (teams: string[], over: Partial<PatientSharing> = {}): PatientSharing => ({
  fieldTeamIds: teams,
  fieldCopies: true,
  regionalHub: false,
  ...over,
});

/** The ids of the patients a host holds, sorted. */
export const held = (h: TestHost) =>
  (h.clinic.db.prepare('SELECT id FROM patients ORDER BY id').all() as { id: string }[]).map((r) => r.id);
