// Demo data for a realistic clinic: users of every role, a few hundred patients
// with Arabic names, and visits with vital signs and notes spread over the past
// months; most patients consented to regional storage. The generated content is
// deterministic for a given seed.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Role, VitalSignsInput } from '../../api';
import { DEFAULT_SHARING, VitalSigns } from '../../api';
import { createUser, getUserByUsername, type UserRow } from '../../access/users';
import type { Clinic } from '../clinic';
import { setPatientSharing } from '../sync/sync-api';
import { ALLERGIES, FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES, NOTES, PLACES, VISIT_REASONS } from './names';

/** Demo accounts: username = role name, one shared password, printed when the demo starts. */
export const DEMO_PASSWORD = 'sijill-demo';
export const DEMO_USERS: { username: string; displayName: string; role: Role }[] = [
  { username: 'admin', displayName: 'Dr. Salam Al-Hakim (admin)', role: 'administrator' },
  { username: 'doctor', displayName: 'Dr. Noor Al-Rawi', role: 'doctor' },
  { username: 'nurse', displayName: 'Nurse Zahraa Kadhim', role: 'nurse' },
  { username: 'clerk', displayName: 'Ali Hameed (registration)', role: 'clerk' },
  { username: 'lab', displayName: 'Hiba Jawad (laboratory)', role: 'lab_technician' },
  { username: 'devtech', displayName: 'Ammar Saleh (devices)', role: 'device_technician' },
  { username: 'auditor', displayName: 'Rasha Fadhil (audit)', role: 'auditor' },
];

/** mulberry32: small, fast, deterministic; not for anything secret. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The share of demo patients who consented to storage at the regional hub. */
export const REGIONAL_CONSENT_SHARE = 0.75;

export interface SeedOptions {
  patients: number;
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

export async function seedDemo(
  clinic: Clinic,
  options: SeedOptions,
): Promise<{ users: number; patients: number; entries: number }> {
  const rand = prng(options.seed ?? 1);
  const consents = prng((options.seed ?? 1) + 0x5eed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

  const users: Partial<Record<Role, UserRow>> = {};
  let createdUsers = 0;
  for (const u of DEMO_USERS) {
    let row = getUserByUsername(clinic.db, u.username);
    if (!row) {
      await createUser(clinic.db, clinic.store.dataKey, { ...u, password: DEMO_PASSWORD }, null);
      row = getUserByUsername(clinic.db, u.username)!;
      createdUsers++;
    }
    users[u.role] = row;
  }
  const clerk = users.clerk!;
  const clinicians = [users.doctor!, users.nurse!];

  let entries = 0;
  const now = Date.now();
  for (let i = 0; i < options.patients; i++) {
    const female = rand() < 0.52;
    const [given, givenLatin] = pick(female ? FEMALE_NAMES : MALE_NAMES);
    const [father, fatherLatin] = pick(MALE_NAMES);
    const [family, familyLatin] = pick(FAMILY_NAMES);
    const age = rand() < 0.25 ? int(0, 14) : int(15, 85);
    const birth = new Date(now - (age * 365.25 + int(0, 364)) * 86_400_000);
    const patient = await clinic.registerPatient(clerk, {
      givenName: given,
      fatherName: father,
      familyName: family,
      latinName: `${givenLatin} ${fatherLatin} ${familyLatin}`,
      sex: female ? 'female' : 'male',
      birthDate: birth.toISOString().slice(0, 10),
      phone: rand() < 0.85 ? `+964 7${int(70, 90)} ${int(100, 999)} ${int(1000, 9999)}` : undefined,
      nationalId: rand() < 0.7 ? String(int(100000, 999999)) + String(int(100000, 999999)) : undefined,
      address: pick(PLACES),
      allergies: rand() < 0.2 ? [pick(ALLERGIES)] : undefined,
    });

    // Most demo patients consented to storage at the regional hub (not given unless
    // recorded: the others travel only between the clinic's own devices). A stream of
    // its own, so the rest of the demo data stays as it was for each seed.
    if (consents() < REGIONAL_CONSENT_SHARE)
      await setPatientSharing(clinic, clerk.id, patient.id, { ...DEFAULT_SHARING, regionalHub: true });

    const visits = int(0, 3);
    for (let v = 0; v < visits; v++) {
      const at = new Date(now - int(1, 120) * 86_400_000 - int(0, 8) * 3_600_000);
      const by = pick(clinicians);
      clinic.recordEntry(clerk, patient.id, 'encounter', { reason: pick(VISIT_REASONS), type: 'outpatient' }, at);
      const sick = rand() < 0.2;
      const vitals: VitalSignsInput = {
        temperatureC: Math.round((sick ? 37.5 + rand() * 2 : 36.3 + rand() * 0.9) * 10) / 10,
        heartRate: sick ? int(95, 130) : int(62, 92),
        respiratoryRate: sick ? int(20, 28) : int(12, 18),
        spo2: sick ? int(89, 95) : int(96, 100),
        spo2Scale: 1,
        supplementalOxygen: sick && rand() < 0.3,
        consciousness: 'A',
        ...(age >= 15 ? { systolic: int(100, 165), diastolic: int(60, 95) } : {}),
      };
      clinic.recordEntry(by, patient.id, 'vitals', VitalSigns.parse(vitals), new Date(at.getTime() + 10 * 60_000));
      clinic.recordEntry(by, patient.id, 'note', { text: pick(NOTES) }, new Date(at.getTime() + 25 * 60_000));
      entries += 3;
    }
    options.onProgress?.(i + 1, options.patients);
    // Every await above settles in microtasks: without a turn of the event loop now and
    // then, the timer that unloads idle charts (charts.loaded) never fires, and a large
    // demo clinic would keep every chart loaded (registrations ~8x slower past ~2,000).
    if (i % 32 === 31) await nextTurn();
  }
  return { users: createdUsers, patients: options.patients, entries };
}
