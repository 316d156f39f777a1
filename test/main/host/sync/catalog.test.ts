// Catalog entries (main/host/sync/catalog.ts): one operation per acknowledgement,
// and catalogs written before (text entries) still read.
import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { catalogKey, catalogValue, entriesOf, entryOf, type CatalogEntry } from '../../../../main/host/sync/catalog';
import { headsKey, storedHeadsKey } from '../../../../main/store/sync/peers';

const key = headsKey(['a'.repeat(64), 'b'.repeat(64)]);

// The shape of CatalogDoc (an interface, which A.from's constraint does not take).
const newCatalog = () => A.from({ kind: 'sijill-catalog', docs: { d1: {} as Record<string, CatalogEntry> } });

function opsOfLastChange(doc: A.Doc<unknown>): number {
  const changes = A.getAllChanges(doc);
  return A.decodeChange(changes[changes.length - 1]!).ops.length;
}

describe('catalog entries', () => {
  it('are written as one operation each, whatever the length of the heads key', () => {
    const doc = A.change(newCatalog(), (d) => {
      d.docs.d1!.dev1 = catalogValue(key);
    });
    expect(opsOfLastChange(doc)).toBe(1);
    expect(A.isImmutableString(doc.docs.d1!.dev1)).toBe(true);
    expect(entryOf(doc.docs.d1, 'dev1')).toBe(key);
    // The form catalogs had before: a text object, one operation per character.
    const old = A.change(newCatalog(), (d) => {
      d.docs.d1!.dev1 = key;
    });
    expect(opsOfLastChange(old)).toBeGreaterThan(key.length);
    expect(entryOf(old.docs.d1, 'dev1')).toBe(key);
  });

  it('read either form and ignore anything else', () => {
    expect(catalogKey(key)).toBe(key);
    expect(catalogKey(new A.ImmutableString(key))).toBe(key);
    expect(catalogKey(42)).toBeUndefined();
    expect(catalogKey({ heads: key })).toBeUndefined();
    expect(entriesOf({ a: key, b: new A.ImmutableString('x'), c: 7 })).toEqual([
      ['a', key],
      ['b', 'x'],
    ]);
    expect(entriesOf(undefined)).toEqual([]);
    expect(entryOf(undefined, 'a')).toBeUndefined();
  });

  it('compare with heads as a chart stores them, in any order', () => {
    const [a, b] = ['a'.repeat(64), 'b'.repeat(64)];
    expect(storedHeadsKey(JSON.stringify([b, a]))).toBe(key);
    expect(storedHeadsKey(JSON.stringify([a, b]))).toBe(key);
    expect(storedHeadsKey(JSON.stringify([a]))).toBe(headsKey([a]));
    expect(storedHeadsKey('[]')).toBe(headsKey([]));
  });
});
