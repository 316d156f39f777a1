// A host that syncs many changed charts does not keep them all in memory: once taken
// in and idle they are evicted (charts.loaded), and evicted charts keep syncing both
// ways, live edits included, with nothing lost.
import { afterEach, describe, expect, it } from 'vitest';
import { enrolledPair, registration, snapshot, until, type TestHost } from './sync-fixture';

const hosts: TestHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

const MAX_LOADED = 4;
const loadedCharts = (h: TestHost) => {
  const charts = new Set(
    (h.clinic.db.prepare('SELECT document_id FROM patients').all() as { document_id: string }[]).map(
      (r) => r.document_id,
    ),
  );
  return Object.keys(h.clinic.charts.repo.handles).filter((id) => charts.has(id)).length;
};

describe('bounded memory during sync', () => {
  it('evicts charts a sync loaded once they are idle; evicted charts sync again, both ways', async () => {
    const { desk, laptop, url } = await enrolledPair(hosts, { loadedLimits: { maxLoaded: MAX_LOADED, idleMs: 0 } });
    const ids: string[] = [];
    for (let i = 0; i < 16; i++) ids.push((await desk.clinic.registerPatient(desk.doctor, registration(`P${i}`))).id);
    expect((await laptop.clinic.sync.syncOnce(url, { timeoutMs: 60_000 })).converged).toBe(true);

    // Changes to 12 charts travel by automerge-repo: the laptop loads each to take it in.
    for (const id of ids.slice(0, 12)) await desk.clinic.addAllergy(desk.doctor, id, 'Penicillin');
    expect((await laptop.clinic.sync.syncOnce(url, { timeoutMs: 60_000 })).converged).toBe(true);
    await until(() => loadedCharts(laptop) <= MAX_LOADED && loadedCharts(desk) <= MAX_LOADED, 15_000, 'eviction');
    expect(laptop.clinic.charts.loaded.evicted).toBeGreaterThanOrEqual(8);

    // Evicted on both sides, changed on both sides, synced again.
    await laptop.clinic.addAllergy(laptop.doctor, ids[0]!, 'Sulfa');
    await desk.clinic.addAllergy(desk.doctor, ids[1]!, 'Latex');
    expect((await laptop.clinic.sync.syncOnce(url, { timeoutMs: 60_000 })).converged).toBe(true);
    expect((await desk.clinic.charts.read(ids[0]!)).allergies.map((a) => a.text).sort()).toEqual([
      'Penicillin',
      'Sulfa',
    ]);
    expect((await laptop.clinic.charts.read(ids[1]!)).allergies.map((a) => a.text).sort()).toEqual([
      'Latex',
      'Penicillin',
    ]);

    // A live connection: an edit of an evicted chart reaches the connected peer.
    await until(() => loadedCharts(desk) <= MAX_LOADED, 15_000, 'eviction on the desk');
    laptop.clinic.sync.connect(url);
    await desk.clinic.addAllergy(desk.doctor, ids[15]!, 'Aspirin');
    await until(
      async () => (await laptop.clinic.charts.read(ids[15]!)).allergies.some((a) => a.text === 'Aspirin'),
      20_000,
      'the live edit',
    );
    expect(await snapshot(laptop)).toEqual(await snapshot(desk));
  }, 120_000);
});
