// The catalog document: for every chart document, the heads each device holds
// (`docs[documentId][deviceId]`, written only by that device). A device's entry is
// its acknowledgement; sync-service.ts compares them to find what changed.
//
// Entries are immutable strings (the heads key, JSON of the sorted heads). A plain
// string is an Automerge text object, one operation per character: with ~70
// characters per entry, acknowledging the charts of a first sync cost more than
// storing them (writing, sending, applying and saving the catalog). Catalogs written
// before hold text: readers take both (String() of either is the key).
import * as A from '@automerge/automerge';

export type CatalogEntry = string | A.ImmutableString;

export interface CatalogDoc {
  kind: 'sijill-catalog';
  docs: Record<string, Record<string, CatalogEntry>>;
}

/** A heads key as it is written into the catalog. */
export const catalogValue = (key: string): CatalogEntry => new A.ImmutableString(key);

/** The heads key an entry holds (either form), or undefined for anything else. */
export function catalogKey(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  return A.isImmutableString(v) ? v.val : undefined;
}

/** `byDev[deviceId]` as a heads key. */
export const entryOf = (byDev: Record<string, unknown> | undefined, deviceId: string): string | undefined =>
  byDev ? catalogKey(byDev[deviceId]) : undefined;

/** Every device's heads key for one chart. */
export function entriesOf(byDev: Record<string, unknown> | undefined): [deviceId: string, key: string][] {
  const out: [string, string][] = [];
  for (const [dev, v] of Object.entries(byDev ?? {})) {
    const key = catalogKey(v);
    if (key !== undefined) out.push([dev, key]);
  }
  return out;
}
