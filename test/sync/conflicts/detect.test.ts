// Conflict detection after merges, and resolution.
import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { detectConflicts, MemoryConflictQueue, resolveConflict, type ConflictRecord } from '../../../sync';
import { addItem, im, newChart, replica, type ChartDoc } from './chart-fixture';

const DOC = 'doc-1';

/** Merges `theirs` into `ours` and returns the merged doc plus what was detected there. */
function mergeAndDetect(
  ours: A.Doc<ChartDoc>,
  theirs: A.Doc<ChartDoc>,
): { merged: A.Doc<ChartDoc>; found: ConflictRecord[] } {
  const before = A.getHeads(ours);
  const merged = A.merge(A.clone(ours), theirs);
  return { merged, found: detectConflicts(DOC, merged, before) };
}

describe('demographics (registers)', () => {
  it('concurrent different values are a conflict, with both values and who wrote them', () => {
    const a0 = newChart();
    const b0 = replica(a0);
    const a = A.change(a0, (d) => void (d.demographics.familyName = im('Hasan')));
    const b = A.change(b0, (d) => void (d.demographics.familyName = im('Al-Hassan')));
    const { merged, found } = mergeAndDetect(a, b);
    expect(found).toHaveLength(1);
    const c = found[0]!;
    expect(c).toMatchObject({
      documentId: DOC,
      kind: 'concurrent-value',
      path: ['demographics', 'familyName'],
      heads: A.getHeads(merged),
    });
    expect(c.values.map((v) => v.value).sort()).toEqual(['Al-Hassan', 'Hasan']);
    expect(c.values.map((v) => v.actors[0]).sort()).toEqual([A.getActorId(a), A.getActorId(b)].sort());
    expect(['Hasan', 'Al-Hassan']).toContain(c.merged);
    // The other replica detects the same conflict under the same id.
    expect(mergeAndDetect(b, a).found.map((x) => x.id)).toEqual([c.id]);
  });

  it('the same value written concurrently, or edits in sequence, are not conflicts', () => {
    const a0 = newChart();
    const b0 = replica(a0);
    const a = A.change(a0, (d) => void (d.demographics.phone = im('0770')));
    const b = A.change(b0, (d) => void (d.demographics.phone = im('0770')));
    expect(mergeAndDetect(a, b).found).toEqual([]);
    const seq = A.change(replica(a), (d) => void (d.demographics.phone = im('0771')));
    expect(mergeAndDetect(a, seq).found).toEqual([]);
  });

  it('three concurrent values are all reported after incremental merges (Automerge 3.5 getConflicts workaround)', () => {
    const origin = newChart('p-1', 'ff'.repeat(16));
    const [r0, r1, r2] = [1, 2, 3].map((i) => A.merge(A.init<ChartDoc>({ actor: `0${i}`.repeat(16) }), origin)) as [
      A.Doc<ChartDoc>,
      A.Doc<ChartDoc>,
      A.Doc<ChartDoc>,
    ];
    const a = A.change(r0, (d) => void (d.demographics.familyName = im('Hasan')));
    let b = A.change(r1, addItem('allergies', 'x', 'dust'));
    b = A.change(b, (d) => void (d.demographics.familyName = im('Al-Hassan')));
    const c = A.change(r2, (d) => void (d.demographics.familyName = im('Hassan-Ali')));
    const ab = A.merge(a, b);
    const before = A.getHeads(ab);
    const merged = A.merge(ab, c);
    // With 3.5.0, A.getConflicts(merged.demographics, 'familyName') lists two of the three here; detection must list all.
    const found = detectConflicts(DOC, merged, before);
    expect(found[0]!.values.map((v) => v.value).sort()).toEqual(['Al-Hassan', 'Hasan', 'Hassan-Ali']);
    // The same document received whole (a first sync's bulk transfer loads its bytes):
    // read without a view, it lists all three too, under the same record id.
    const loaded = A.load<ChartDoc>(A.save(merged));
    const fresh = detectConflicts(DOC, loaded, [], undefined, { freshlyLoaded: true });
    expect(fresh.map((f) => f.id)).toEqual([found[0]!.id]);
    expect(fresh[0]!.values.map((v) => v.value).sort()).toEqual(['Al-Hassan', 'Hasan', 'Hassan-Ali']);
  });

  it('resolution writes the chosen value; the conflict is gone on every replica that merges it', () => {
    const a0 = newChart();
    const b0 = replica(a0);
    const a = A.change(a0, (d) => {
      d.demographics.birthDate = im('1990-04-01');
      d.demographics.birthDate = im('1990-05-01');
    });
    const b = A.change(b0, (d) => void (d.demographics.birthDate = im('1991-04-01')));
    const { merged, found } = mergeAndDetect(a, b);
    const c = found[0]!;
    const i = c.values.findIndex((v) => v.value === '1991-04-01');
    const resolved = resolveConflict(A.clone(merged, { actor: 'dd'.repeat(16) }), c, { choose: i });
    expect(A.isImmutableString(resolved.demographics.birthDate)).toBe(true);
    expect(String(resolved.demographics.birthDate)).toBe('1991-04-01');
    expect(detectConflicts(DOC, resolved, A.getHeads(merged))).toEqual([]);
    const bAfter = A.merge(A.clone(b), resolved);
    expect(A.getConflicts(bAfter.demographics, 'birthDate')).toBeUndefined();
    const aAfter = A.merge(A.clone(resolved), bAfter);
    expect(A.getHeads(bAfter)).toEqual(A.getHeads(aAfter));
    expect(A.toJS(bAfter)).toEqual(A.toJS(aAfter));
    const typed = resolveConflict(A.clone(merged, { actor: 'cc'.repeat(16) }), c, { value: '1990-12-31' });
    expect(String(typed.demographics.birthDate)).toBe('1990-12-31');
  });

  it('choosing the value the merge shows is a new write: a concurrent edit made elsewhere is a new conflict', () => {
    const a0 = newChart();
    const b0 = replica(a0);
    const a = A.change(a0, (d) => void (d.demographics.familyName = im('Hasan')));
    const b = A.change(b0, (d) => void (d.demographics.familyName = im('Al-Hassan')));
    const { merged, found } = mergeAndDetect(a, b);
    const c = found[0]!;
    const shown = String(merged.demographics.familyName);
    const resolved = resolveConflict(A.clone(merged, { actor: 'dd'.repeat(16) }), c, {
      choose: c.values.findIndex((v) => v.value === shown),
    });
    expect(A.getConflicts(resolved.demographics, 'familyName')).toBeUndefined();
    // Another device saw the conflict and, not knowing of the resolution, wrote a third name.
    const elsewhere = A.change(A.clone(merged, { actor: 'ee'.repeat(16) }), (d) => {
      d.demographics.familyName = im('Hassan');
    });
    const after = mergeAndDetect(resolved, elsewhere);
    expect(after.found).toHaveLength(1);
    expect(after.found[0]!.values.map((v) => v.value).sort()).toEqual([shown, 'Hassan'].sort());
  });
});

describe('lists of assertions (union rule)', () => {
  it('concurrent additions are both kept and are not conflicts', () => {
    const a0 = newChart();
    const b0 = replica(a0);
    const a = A.change(a0, addItem('allergies', 'al-a', 'latex'));
    const b = A.change(b0, addItem('allergies', 'al-b', 'sulfa'));
    const { merged, found } = mergeAndDetect(a, b);
    expect(found).toEqual([]);
    expect(merged.allergies.map((x) => x.text).sort()).toEqual(['latex', 'penicillin', 'sulfa']);
  });

  it('removal on one side while the other edited the item is flagged, from either side', () => {
    const base = A.change(newChart(), addItem('medications', 'm1', 'metformin 500 mg'));
    const a = A.change(replica(base), (d) => void d.medications.splice(0, 1));
    const b = A.change(replica(base), (d) => void A.updateText(d, ['medications', 0, 'text'], 'metformin 1000 mg'));
    const fromA = mergeAndDetect(a, b);
    expect(fromA.merged.medications).toEqual([]); // Automerge alone drops the edit silently
    expect(fromA.found).toHaveLength(1);
    const c = fromA.found[0]!;
    expect(c).toMatchObject({ kind: 'removed-vs-edited', path: ['medications', 'm1'], itemId: 'm1', merged: null });
    expect(c.values.map((v) => v.value)).toEqual([null, 'metformin 1000 mg']);
    expect(c.values[1]!.actors).toEqual([A.getActorId(b)]);
    expect(mergeAndDetect(b, a).found.map((x) => x.id)).toEqual([c.id]);

    const kept = resolveConflict(A.clone(fromA.merged, { actor: 'aa'.repeat(16) }), c, { choose: 1 });
    expect(kept.medications).toHaveLength(1);
    expect(kept.medications[0]!.text).toBe('metformin 1000 mg');
    expect(A.isImmutableString(kept.medications[0]!.id)).toBe(true);
    const dropped = resolveConflict(A.clone(fromA.merged, { actor: 'bb'.repeat(16) }), c, { choose: 0 });
    expect(dropped.medications).toEqual([]);
  });

  it('concurrent edits of the same item text are flagged (no silent blend)', () => {
    const base = newChart();
    const a = A.change(replica(base), (d) => void A.updateText(d, ['allergies', 0, 'text'], 'penicillin (rash)'));
    const b = A.change(
      replica(base),
      (d) => void A.updateText(d, ['allergies', 0, 'text'], 'penicillin (anaphylaxis)'),
    );
    const { merged, found } = mergeAndDetect(a, b);
    expect(found).toHaveLength(1);
    const c = found[0]!;
    expect(c.kind).toBe('concurrent-list-edit');
    expect(c.values.map((v) => v.value)).toEqual(['penicillin (rash)', 'penicillin (anaphylaxis)']);
    const resolved = resolveConflict(merged, c, { choose: 1 });
    expect(resolved.allergies[0]!.text).toBe('penicillin (anaphylaxis)');
    // Assignment instead of text splices is caught the same way.
    const a2 = A.change(replica(base), (d) => void (d.allergies[0]!.text = 'amoxicillin'));
    const b2 = A.change(replica(base), (d) => void (d.allergies[0]!.text = 'ampicillin'));
    expect(mergeAndDetect(a2, b2).found.map((x) => x.kind)).toEqual(['concurrent-list-edit']);
  });

  it('removed on both sides, or removed without a concurrent edit: nothing to review', () => {
    const base = A.change(newChart(), addItem('problems', 'pr1', 'asthma'));
    const a = A.change(replica(base), (d) => void d.problems.splice(0, 1));
    const b = A.change(replica(base), (d) => void d.problems.splice(0, 1));
    expect(mergeAndDetect(a, b).found).toEqual([]);
    const c = A.change(replica(base), (d) => void (d.demographics.address = im('Basra')));
    expect(mergeAndDetect(a, c).found).toEqual([]);
  });

  it('a merge that only brings in the other side’s newer history (fast-forward) flags nothing', () => {
    const a = A.change(newChart(), addItem('allergies', 'x', 'nuts'));
    const b = A.change(replica(a), (d) => void A.updateText(d, ['allergies', 1, 'text'], 'tree nuts'));
    expect(mergeAndDetect(a, b).found).toEqual([]);
    expect(mergeAndDetect(b, a).found).toEqual([]);
  });
});

describe('review queue', () => {
  it('the same conflict seen on two replicas is queued once; resolved ones leave the open list', () => {
    const a0 = newChart();
    const b0 = replica(a0);
    const a = A.change(a0, (d) => void (d.demographics.givenName = im('Laila')));
    const b = A.change(b0, (d) => {
      d.demographics.givenName = im('Leila');
      d.demographics.phone = im('0780');
    });
    const q = new MemoryConflictQueue();
    const x = mergeAndDetect(a, b).found;
    const y = mergeAndDetect(b, a).found;
    expect(x.map((c) => q.put(c, 't1'))).toEqual([true]);
    expect(y.map((c) => q.put(c, 't2'))).toEqual([false]);
    expect(q.open(DOC)).toHaveLength(1);
    q.markResolved(x[0]!.id, 'u-9', 't3', { choose: 0 });
    expect(q.open()).toEqual([]);
    expect(JSON.parse(JSON.stringify(q.all()))).toEqual(q.all()); // records are plain JSON for SQLite
  });
});
