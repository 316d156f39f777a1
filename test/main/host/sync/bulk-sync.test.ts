// A first sync moves the charts a device lacks over the bulk lane (bulk-transfer.ts):
// they arrive complete, are taken in (projection, entries, audit) without being
// loaded into the receiver's Repo, so a long first sync does not fill memory; later
// changes travel by automerge-repo's protocol, and only the changed charts are loaded.
// A chart whose bytes do not load is refused, never stored as sent, and fetched by
// the per-document protocol instead.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PULL_BATCH } from '../../../../main/host/sync/bulk-transfer';
import { enrolledPair, registration, snapshot, type TestHost } from './sync-fixture';

const hosts: TestHost[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const h of hosts.splice(0)) await h.close();
});

const pair = () => enrolledPair(hosts);

const chartDocIds = (h: TestHost) =>
  new Set(
    (h.clinic.db.prepare('SELECT document_id FROM patients').all() as { document_id: string }[]).map(
      (r) => r.document_id,
    ),
  );
const loadedCharts = (h: TestHost) => {
  const charts = chartDocIds(h);
  return Object.keys(h.clinic.charts.repo.handles).filter((id) => charts.has(id));
};

describe('first sync in bulk', () => {
  it('moves every chart and entry without loading them on the receiver; later changes load only what changed', async () => {
    const { desk, laptop, url } = await pair();
    const n = PULL_BATCH + 20; // more than one batch
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const p = await desk.clinic.registerPatient(desk.doctor, registration(`Patient${i}`));
      desk.clinic.recordEntry(desk.doctor, p.id, 'note', { text: `visit ${i}` });
      ids.push(p.id);
    }
    expect((await laptop.clinic.sync.syncOnce(url, { timeoutMs: 60_000 })).converged).toBe(true);
    expect(laptop.clinic.stats()).toMatchObject({ patients: n, entries: n });
    // Taken in straight from the bytes: none of them is held by the laptop's Repo.
    expect(loadedCharts(laptop)).toEqual([]);
    const audit = laptop.clinic.db
      .prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'sync.chart.new'")
      .get() as { n: number };
    expect(audit.n).toBe(n);
    const entriesOf = (h: TestHost) =>
      h.clinic.db.prepare('SELECT id, canonical, signature FROM entries ORDER BY id').all();
    expect(entriesOf(laptop)).toEqual(entriesOf(desk));

    // An incremental change: only the changed charts are loaded on the laptop.
    for (const id of ids.slice(0, 3)) await desk.clinic.addAllergy(desk.doctor, id, 'Penicillin');
    expect((await laptop.clinic.sync.syncOnce(url, { timeoutMs: 60_000 })).converged).toBe(true);
    expect(loadedCharts(laptop).length).toBeLessThanOrEqual(3);
    expect((await laptop.clinic.charts.read(ids[0]!)).allergies.map((a) => a.text)).toEqual(['Penicillin']);
    // (snapshot() reads, so loads, every chart: last.)
    expect(await snapshot(laptop)).toEqual(await snapshot(desk));
  });

  it('refuses a chart whose bytes do not load, stores nothing of it, and gets it by the per-document protocol', async () => {
    const { desk, laptop, url } = await pair();
    const good = await desk.clinic.registerPatient(desk.doctor, registration('Sound'));
    const bad = await desk.clinic.registerPatient(desk.doctor, registration('Damaged'));
    const docOf = (id: string) =>
      (desk.clinic.db.prepare('SELECT document_id FROM patients WHERE id = ?').get(id) as { document_id: string })
        .document_id;
    // Corrupt the desk's stored bytes of one chart (its Repo still holds it, intact, in memory).
    const badDoc = docOf(bad.id);
    const chunk = desk.clinic.db
      .prepare("SELECT key, data FROM automerge_chunks WHERE key >= ? AND key < ? AND key LIKE '%snapshot%'")
      .get(`${badDoc}\u001f`, `${badDoc}\u0020`) as { key: string; data: Buffer };
    const damaged = Buffer.from(chunk.data);
    for (let i = 8; i < damaged.length; i += 7) damaged[i] = damaged[i]! ^ 0x5a;
    desk.clinic.db.prepare('UPDATE automerge_chunks SET data = ? WHERE key = ?').run(damaged, chunk.key);

    const logged: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((m: unknown) => void logged.push(String(m)));
    expect((await laptop.clinic.sync.syncOnce(url, { timeoutMs: 60_000 })).converged).toBe(true);
    expect(logged.some((l) => l.includes(`REFUSED chart ${badDoc}`))).toBe(true);
    // Both charts are on the laptop, the damaged one as the desk's Repo holds it.
    expect((await laptop.clinic.charts.read(bad.id)).givenName).toBe('Damaged');
    expect((await laptop.clinic.charts.read(good.id)).givenName).toBe('Sound');
    const stored = laptop.clinic.db
      .prepare('SELECT data FROM automerge_chunks WHERE key >= ? AND key < ?')
      .all(`${badDoc}\u001f`, `${badDoc}\u0020`) as { data: Buffer }[];
    expect(stored.some((r) => r.data.equals(damaged))).toBe(false);
  });
});
