// Sync benchmark (issue 3): the same data set on both sides — N patients with 5
// signed entries each — synced by Sijill (two hosts, enrolled, authenticated LAN
// WebSocket, through a byte-counting proxy) and replicated by PouchDB over HTTP
// (./pouchdb-baseline.ts), measured in the same run.
//   (a) initial sync: time and bytes, as ratios Sijill / PouchDB (target: time <= 1);
//   (b) incremental sync after 100 patients changed on one side: time (target < 2 s)
//       and bytes against the bytes of the changed documents (target < 3x).
// The PouchDB documents are the Sijill data itself: each chart as JSON, each entry
// as its signed canonical JSON and signature.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createUser, getUserByUsername, type UserRow } from '../../main/access/users';
import { Clinic } from '../../main/host/clinic';
import { initDataDir } from '../../main/store/data-dir';
import { DEFAULT_LOADED_LIMITS } from '../../main/store/charts/loaded-documents';
import { startCountingProxy } from './counting-proxy';
import {
  pouchReplication,
  type PouchBaseline,
  type PouchDoc,
  type PouchStorage,
  type ReplicationRun,
} from './pouchdb-baseline';

interface BenchHost {
  clinic: Clinic;
  doctor: UserRow;
  close(): Promise<void>;
}

async function openHost(name: string): Promise<BenchHost> {
  const dir = mkdtempSync(join(tmpdir(), `sijill-bench-sync-${name}-`));
  const store = await initDataDir(join(dir, 'data'), { clinicName: `Bench ${name}`, passphrase: 'bench passphrase' });
  await createUser(
    store.db,
    store.dataKey,
    { username: 'doctor', displayName: `Dr. ${name}`, role: 'doctor', password: 'bench-password' },
    null,
  );
  const clinic = await Clinic.open(store);
  return {
    clinic,
    doctor: getUserByUsername(store.db, 'doctor')!,
    close: async () => {
      await clinic.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const GIVEN = ['أحمد', 'فاطمة', 'علي', 'زينب', 'حسين', 'مريم', 'عمر', 'نور', 'يوسف', 'سارة'];
const FAMILY = ['الجبوري', 'العبيدي', 'التميمي', 'الدليمي', 'الربيعي', 'الخزرجي', 'الزبيدي'];

async function seed(host: BenchHost, patients: number, entriesPerPatient: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < patients; i++) {
    const p = await host.clinic.registerPatient(host.doctor, {
      givenName: GIVEN[i % GIVEN.length]!,
      familyName: FAMILY[i % FAMILY.length]!,
      sex: i % 2 ? 'male' : 'female',
      birthDate: `${1950 + (i % 60)}-0${1 + (i % 9)}-1${i % 10}`,
      phone: `+964 770 ${String(1_000_000 + i).slice(1)}`,
      nationalId: `IQ-${100_000 + i}`,
    });
    ids.push(p.id);
    // A clinic registers patients over days; this loop would never give the event loop
    // a turn (every await settles in microtasks), so the timer that unloads idle charts
    // (charts.loaded) would never fire: thousands of charts stayed loaded and each
    // registration grew ~8x slower past ~2,000 (seeding 10,000 took 7 to 9 minutes).
    if (i % 32 === 31) await nextTurn();
    for (let e = 0; e < entriesPerPatient; e++) {
      if (e % 2 === 0) {
        host.clinic.recordEntry(host.doctor, p.id, 'vitals', {
          heartRate: 60 + ((i + e) % 40),
          systolic: 110 + (e % 30),
          diastolic: 70 + (e % 15),
          spo2: 94 + (e % 5),
          spo2Scale: 1,
          supplementalOxygen: false,
          temperatureC: 36.5,
        });
      } else {
        host.clinic.recordEntry(host.doctor, p.id, 'note', {
          text: `Follow-up visit ${e}: stable, continue treatment.`,
        });
      }
    }
  }
  return ids;
}

/** The same data as PouchDB documents: each chart as JSON, each signed entry as its own document. */
async function pouchDocsOf(host: BenchHost, patientIds: string[]): Promise<PouchDoc[]> {
  const docs: PouchDoc[] = [];
  for (const id of patientIds) {
    const chart = (await host.clinic.charts.read(id)) as unknown as Record<string, unknown>;
    docs.push({ ...chart, _id: `patient:${id}` });
  }
  const rows = host.clinic.db
    .prepare('SELECT id, patient_id, canonical, hex(signature) AS signature FROM entries')
    .all() as { id: string; patient_id: string; canonical: string; signature: string }[];
  for (const r of rows)
    docs.push({ _id: `entry:${r.id}`, patientId: r.patient_id, canonical: r.canonical, signature: r.signature });
  return docs;
}

export interface SyncBenchResult {
  patients: number;
  entries: number;
  seedMs: number;
  sijill: { initial: ReplicationRun; incremental: ReplicationRun };
  /** PouchDB on its in-memory adapter: the target's baseline. */
  pouch: PouchBaseline;
  /** PouchDB on LevelDB (on disk), for what durable storage costs. */
  pouchDurable: PouchBaseline;
  /** JSON bytes of the charts changed before the incremental sync. */
  changedDocBytes: number;
}

const ALLERGY = 'Penicillin (rash)';

export async function benchSyncReplication(
  patients: number,
  entriesPerPatient = 5,
  changed = 100,
): Promise<SyncBenchResult> {
  const desk = await openHost('desk');
  const laptop = await openHost('laptop');
  try {
    const t = performance.now();
    const ids = await seed(desk, patients, entriesPerPatient);
    const seedMs = performance.now() - t;
    const docs = await pouchDocsOf(desk, ids);

    // Listening makes the desk a clinic's first device (membership), which publishing needs.
    const port = await desk.clinic.sync.listen({ port: 0, host: '127.0.0.1' });
    // A device copies the entries it signs into their charts in the background, within
    // seconds of recording them (sync-service.ts); a device that worked for days has long
    // done so before it syncs. The seed recorded them all at once: let that catch up.
    await desk.clinic.sync.publish();
    // Seeding and reading the PouchDB copy opened every chart; a device that has been
    // running holds only its recently used ones (main/store/charts/loaded-documents.ts):
    // let the desk unload the rest before the clock starts, as it would have long before.
    // All of it before the laptop joins: the join and the clock meet a desk at rest.
    await new Promise((resolve) => setTimeout(resolve, DEFAULT_LOADED_LIMITS.idleMs + 100));
    await desk.clinic.charts.loaded.sweep();
    const { code } = await desk.clinic.sync.enrollmentCode(null);
    await laptop.clinic.sync.join({ code, peerUrl: `ws://127.0.0.1:${port}`, deviceName: 'laptop', actorId: null });
    const proxy = await startCountingProxy(port);
    const url = `ws://127.0.0.1:${proxy.port}`;
    const syncRun = async (): Promise<ReplicationRun> => {
      proxy.reset();
      const start = performance.now();
      const r = await laptop.clinic.sync.syncOnce(url, { timeoutMs: 60 * 60_000 });
      const ms = performance.now() - start;
      if (!r.converged) throw new Error('the laptop did not converge with the desk');
      return { ms, bytes: proxy.bytes(), docs: r.documents };
    };
    try {
      const initial = await syncRun();
      const held = laptop.clinic.stats();
      if (held.patients !== patients || held.entries !== patients * entriesPerPatient) {
        throw new Error(
          `after the initial sync the laptop holds ${held.patients} patients and ${held.entries} entries`,
        );
      }
      const changedIds = ids.slice(0, changed);
      let changedDocBytes = 0;
      for (const id of changedIds) {
        const chart = await desk.clinic.addAllergy(desk.doctor, id, ALLERGY);
        changedDocBytes += Buffer.byteLength(JSON.stringify(chart));
      }
      const incremental = await syncRun();
      for (const id of changedIds) {
        const chart = await laptop.clinic.charts.read(id);
        if (!JSON.stringify(chart).includes(ALLERGY)) throw new Error(`the change to ${id} did not reach the laptop`);
      }
      const pouchRun = (storage: PouchStorage) =>
        pouchReplication(
          docs,
          (doc) => ({ ...doc, allergies: [...((doc.allergies as unknown[]) ?? []), { text: ALLERGY }] }),
          changedIds.map((id) => `patient:${id}`),
          storage,
        );
      const pouch = await pouchRun('memory');
      const pouchDurable = await pouchRun('leveldb');
      return {
        patients,
        entries: patients * entriesPerPatient,
        seedMs,
        sijill: { initial, incremental },
        pouch,
        pouchDurable,
        changedDocBytes,
      };
    } finally {
      await proxy.close();
    }
  } finally {
    await laptop.close();
    await desk.close();
  }
}

const f = (x: number, digits = 2) => x.toFixed(digits);
const mb = (b: number) => `${(b / 1e6).toFixed(2)} MB`;
const kb = (b: number) => `${(b / 1e3).toFixed(1)} kB`;

export function formatSyncReplication(r: SyncBenchResult): string[] {
  const s = r.sijill;
  const p = r.pouch;
  return [
    `sync, ${r.patients.toLocaleString('en-US')} patients x ${r.entries / r.patients} entries (seeded in ${f(r.seedMs / 1000, 0)} s):`,
    `    initial: Sijill ${f(s.initial.ms / 1000, 1)} s, ${mb(s.initial.bytes)} vs PouchDB ${f(p.initial.ms / 1000, 1)} s, ${mb(p.initial.bytes)}` +
      ` -> time ratio ${f(s.initial.ms / p.initial.ms)} (target <= 1), bytes ratio ${f(s.initial.bytes / p.initial.bytes)}`,
    `    incremental (100 charts changed): Sijill ${f(s.incremental.ms)} ms, ${kb(s.incremental.bytes)} = ${f(s.incremental.bytes / r.changedDocBytes)}x the ${kb(r.changedDocBytes)} of changed charts` +
      ` (targets < 2000 ms, < 3x); PouchDB ${f(p.incremental.ms)} ms, ${kb(p.incremental.bytes)}`,
    `    for comparison, PouchDB on LevelDB (on disk): initial ${f(r.pouchDurable.initial.ms / 1000, 1)} s` +
      ` -> Sijill / durable PouchDB time ratio ${f(s.initial.ms / r.pouchDurable.initial.ms)}; incremental ${f(r.pouchDurable.incremental.ms)} ms`,
  ];
}
