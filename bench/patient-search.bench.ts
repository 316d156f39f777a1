// Patient search latency at clinic scale (50,000 patients), through the same call
// the API uses (Clinic.searchPatients: FTS5 query, projection read and the audit
// record of the search, committed). The patients are written straight into the
// projection that search reads (not through Automerge), which takes seconds instead
// of minutes; search never touches the documents.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { projectChart } from '../main/store/charts/projection';
import { FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES } from '../main/host/demo/names';
import { prng } from '../main/host/demo/seed';
import { benchClinic, percentile } from './support';

export async function benchPatientSearch(patients: number, queries: number) {
  const { clinic, user, cleanup } = await benchClinic();
  try {
    const rand = prng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const now = new Date().toISOString();
    const mrns: string[] = [];
    const phones: string[] = [];
    clinic.db.transaction(() => {
      for (let i = 0; i < patients; i++) {
        const [g, gl] = pick(rand() < 0.5 ? MALE_NAMES : FEMALE_NAMES);
        const [f, fl] = pick(MALE_NAMES);
        const [fam, faml] = pick(FAMILY_NAMES);
        const mrn = `BENCH-${String(i).padStart(7, '0')}`;
        const phone = `+964 7${70 + (i % 20)} ${String(100 + (i % 900))} ${String(1000 + (i % 9000))}`;
        mrns.push(mrn);
        phones.push(phone);
        projectChart(
          clinic.db,
          {
            id: randomUUID(),
            mrn,
            givenName: g,
            fatherName: f,
            familyName: fam,
            latinName: `${gl} ${fl} ${faml}`,
            sex: 'unknown',
            birthDate: '1980-01-01',
            phone,
            nationalId: String(100000000000 + i),
            address: null,
            updatedAt: now,
            identifiers: [],
            allergies: [],
            problems: [],
            medications: [],
          },
          `bench-doc-${i}`,
          [],
          now,
        );
      }
    })();

    // What staff type: partial and full Arabic names (often without hamza), Latin names, MRNs, phone digits.
    const makeQuery = (): string => {
      const k = rand();
      if (k < 0.35)
        return pick(MALE_NAMES)[0]
          .replace(/[أإآ]/g, 'ا')
          .slice(0, 2 + Math.floor(rand() * 3));
      if (k < 0.55) return `${pick(FEMALE_NAMES)[0]} ${pick(FAMILY_NAMES)[0]}`;
      if (k < 0.7) return pick(MALE_NAMES)[1].slice(0, 3);
      if (k < 0.85) return pick(mrns);
      return pick(phones).slice(5, 12);
    };
    for (let i = 0; i < 50; i++) clinic.searchPatients(user, makeQuery(), 25); // warm-up
    const times: number[] = [];
    let hits = 0;
    for (let i = 0; i < queries; i++) {
      const q = makeQuery();
      const t = performance.now();
      hits += clinic.searchPatients(user, q, 25).length > 0 ? 1 : 0;
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return {
      p50: percentile(times, 50),
      p95: percentile(times, 95),
      p99: percentile(times, 99),
      hitRate: hits / queries,
    };
  } finally {
    await cleanup();
  }
}
