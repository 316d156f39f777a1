// Signed entry insert rate, as a ratio of raw better-sqlite3 inserts of rows of the
// same size into the same encrypted database, measured in the same run.
// Both sides commit every row in its own transaction (synchronous = FULL), because
// that is what acknowledging one clinical entry requires. The signed path also
// canonicalises, hashes, signs, writes the audit record and reads the entry back.
import { performance } from 'node:perf_hooks';
import { VitalSigns } from '../main/api';
import { benchClinic } from './support';

export async function benchEntryInsert(n: number): Promise<{ ratio: number; signedPerSec: number; rawPerSec: number }> {
  const { clinic, user, cleanup } = await benchClinic();
  try {
    const patient = await clinic.registerPatient(user, {
      givenName: 'أحمد',
      familyName: 'علي',
      sex: 'male',
      birthDate: '1980-01-01',
    });
    const vitals = VitalSigns.parse({
      temperatureC: 37.1,
      heartRate: 84,
      respiratoryRate: 16,
      systolic: 124,
      diastolic: 79,
      spo2: 97,
      consciousness: 'A',
    });
    // A sample entry tells us the row size the baseline must match.
    const sample = clinic.recordEntry(user, patient.id, 'vitals', vitals);
    const row = clinic.db.prepare('SELECT length(canonical) AS c FROM entries WHERE id = ?').get(sample.id) as {
      c: number;
    };
    const payload = 'x'.repeat(row.c);
    const db = clinic.db;
    db.exec(
      'CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, patient_id TEXT, canonical TEXT, content_hash BLOB, signature BLOB)',
    );
    const insertRaw = db.prepare(
      'INSERT INTO bench_raw (patient_id, canonical, content_hash, signature) VALUES (?, ?, ?, ?)',
    );
    const hash = Buffer.alloc(32, 1);
    const sig = Buffer.alloc(64, 2);

    // Warm both paths, then time them interleaved in rounds so drift affects both alike.
    for (let i = 0; i < 20; i++) {
      insertRaw.run(patient.id, payload, hash, sig);
      clinic.recordEntry(user, patient.id, 'vitals', vitals);
    }
    let rawMs = 0;
    let signedMs = 0;
    const rounds = 5;
    const per = Math.ceil(n / rounds);
    for (let r = 0; r < rounds; r++) {
      let t = performance.now();
      for (let i = 0; i < per; i++) db.transaction(() => insertRaw.run(patient.id, payload, hash, sig))();
      rawMs += performance.now() - t;
      t = performance.now();
      for (let i = 0; i < per; i++) clinic.recordEntry(user, patient.id, 'vitals', vitals);
      signedMs += performance.now() - t;
    }
    const total = per * rounds;
    const rawPerSec = (total / rawMs) * 1000;
    const signedPerSec = (total / signedMs) * 1000;
    return { ratio: signedPerSec / rawPerSec, signedPerSec, rawPerSec };
  } finally {
    await cleanup();
  }
}
