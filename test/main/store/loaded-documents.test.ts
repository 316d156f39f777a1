// Bounded memory: the charts Repo holds at most `maxLoaded` documents once the others
// have been idle; an evicted chart reads back from storage unchanged, and nothing in
// use, unsaved or not yet projected is ever evicted.
import * as A from '@automerge/automerge';
import type { DocumentId } from '@automerge/automerge-repo';
import { describe, expect, it } from 'vitest';
import type { ChartDoc } from '../../../main/store/charts/chart-doc';
import { listEntry, readChart } from '../../../main/store/charts/chart-doc';
import type { Db } from '../../../main/store/database';
import { openCharts, samplePatient, useStoreTemplate } from '../../helpers/store';

const template = useStoreTemplate();
const ACTOR = 'user-0001';
/** The shortest idle time LoadedDocuments accepts (it raises 0 to this). */
const IDLE_MS = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const documentIdOf = (db: Db, patientId: string) =>
  (db.prepare('SELECT document_id FROM patients WHERE id = ?').get(patientId) as { document_id: string }).document_id;

/** The chart rebuilt from its stored chunks alone, without automerge-repo. */
function storedChart(db: Db, documentId: string) {
  let doc = A.init<ChartDoc>();
  const chunks = db
    .prepare('SELECT data FROM automerge_chunks WHERE key >= ? AND key < ? ORDER BY key')
    .all(`${documentId}\u001f`, `${documentId}\u0020`) as { data: Buffer }[];
  for (const c of chunks) doc = A.loadIncremental(doc, new Uint8Array(c.data));
  return readChart(doc, '');
}

const withoutTime = <T extends { updatedAt?: string }>(c: T) => ({ ...c, updatedAt: undefined });

describe('LoadedDocuments (eviction of idle charts)', () => {
  it('keeps at most maxLoaded charts once the rest are idle; evicted charts read back unchanged, from storage too', async () => {
    const { store, charts } = openCharts(template(), undefined, { maxLoaded: 3, idleMs: 0 });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const p = await charts.register({ ...samplePatient(), givenName: `Patient${i}` }, ACTOR);
      await charts.change(p.id, ACTOR, { action: 'patient.allergy.add' }, (d) => {
        d.allergies.push(listEntry(`a${i}`, `Allergy ${i}`, '2024-05-01T10:00:00.000Z', ACTOR));
      });
      ids.push(p.id);
    }
    const before = await Promise.all(ids.map((id) => charts.read(id)));
    expect(charts.loaded.loaded).toBe(12);

    await sleep(IDLE_MS + 100);
    expect(await charts.loaded.sweep()).toBe(9);
    expect(charts.loaded.loaded).toBe(3);
    // automerge-repo would save an unloaded handle's empty document after its save
    // throttle: give it the time, then check what storage holds.
    await sleep(300);
    for (const [i, id] of ids.entries())
      expect(withoutTime(storedChart(store.db, documentIdOf(store.db, id)))).toEqual(withoutTime(before[i]!));
    const after = await Promise.all(ids.map((id) => charts.read(id)));
    expect(after.map(withoutTime)).toEqual(before.map(withoutTime));
    // An evicted chart can be changed again, and the change is kept.
    await charts.change(ids[0]!, ACTOR, { action: 'patient.allergy.add' }, (d) => {
      d.allergies.push(listEntry('again', 'Latex', '2024-05-02T10:00:00.000Z', ACTOR));
    });
    expect((await charts.read(ids[0]!)).allergies.map((a) => a.text)).toEqual(['Allergy 0', 'Latex']);
  });

  it('never evicts a chart in use, one with a change not yet projected, or one touched within idleMs', async () => {
    const { store, charts } = openCharts(template(), undefined, { maxLoaded: 0, idleMs: 0 });
    const used = await charts.register({ ...samplePatient(), givenName: 'Used' }, ACTOR);
    const unprojected = await charts.register({ ...samplePatient(), givenName: 'Unprojected' }, ACTOR);
    const recent = await charts.register({ ...samplePatient(), givenName: 'Recent' }, ACTOR);
    const idle = await charts.register({ ...samplePatient(), givenName: 'Idle' }, ACTOR);
    const loaded = (id: string) => charts.repo.handles[documentIdOf(store.db, id) as DocumentId] !== undefined;

    // A change that reached the document but not the projection (as from a peer).
    await charts.withChart(unprojected.id, (h) =>
      h.change((d) => void (d.demographics.familyName = new A.ImmutableString('Changed'))),
    );
    await charts.withChart(used.id, async () => {
      await sleep(IDLE_MS + 100);
      await charts.read(recent.id);
      await charts.loaded.sweep();
      expect(loaded(used.id)).toBe(true);
    });
    expect(loaded(unprojected.id)).toBe(true);
    expect(loaded(recent.id)).toBe(true);
    expect(loaded(idle.id)).toBe(false);
    expect(charts.loaded.evicted).toBe(1);
  });

  it('a lookup of a chart while it is being evicted waits, then loads it again from storage', async () => {
    const { charts } = openCharts(template(), undefined, { maxLoaded: 0, idleMs: 0 });
    const p = await charts.register(samplePatient(), ACTOR);
    const expected = await charts.read(p.id);
    const old = await charts.withChart(p.id, (h) => h);
    // Slow the unload down so that the lookup below comes in the middle of it.
    const repo = charts.repo as unknown as { removeFromCache(id: DocumentId): Promise<void> };
    const removeFromCache = repo.removeFromCache.bind(repo);
    let unloading!: () => void;
    const started = new Promise<void>((r) => (unloading = r));
    repo.removeFromCache = async (id) => {
      unloading();
      await sleep(100);
      return removeFromCache(id);
    };
    await sleep(IDLE_MS + 100);
    const sweep = charts.loaded.sweep();
    await started;
    const read = charts.withChart(p.id, (h) => ({ handle: h, chart: readChart(h.doc(), expected.updatedAt) }));
    expect(await sweep).toBe(1);
    const { handle, chart } = await read;
    expect(handle).not.toBe(old);
    expect(chart).toEqual(expected);
  });
});
