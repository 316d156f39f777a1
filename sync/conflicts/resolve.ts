// Resolving a reviewed conflict: write the chosen value as a new change. Because the
// change is made on the merged document, it supersedes every concurrent value at
// that place — getConflicts() is empty afterwards on every replica that receives it.
import * as A from '@automerge/automerge';
import type { ConflictRecord, ItemSnapshot } from './detect';

/** Pick one of the record's values by index, or supply a corrected value (registers and list fields). */
export type Resolution = { choose: number } | { value: string | null };

type Obj = Record<string, unknown>;

export class ResolveError extends Error {
  override name = 'ResolveError';
}

function objectAt(root: Obj, path: string[]): Obj {
  let cur: unknown = root;
  for (const p of path) {
    cur = (cur as Obj | undefined)?.[p];
    if (typeof cur !== 'object' || cur === null)
      throw new ResolveError(`path ${path.join('.')} is not in the document`);
  }
  return cur as Obj;
}

function restore(snapshot: ItemSnapshot): Obj {
  const item: Obj = {};
  for (const [k, v] of Object.entries(snapshot.json)) {
    item[k] = snapshot.immutable.includes(k) && typeof v === 'string' ? new A.ImmutableString(v) : v;
  }
  return item;
}

function chosen(record: ConflictRecord, r: Resolution): { value: unknown; item?: ItemSnapshot | null } {
  if ('value' in r) return { value: r.value };
  const v = record.values[r.choose];
  if (!v) throw new ResolveError(`no value #${r.choose} in this conflict`);
  return v.item === undefined ? { value: v.value } : { value: v.value, item: v.item };
}

/** Applies a resolution inside a change callback: handle.change((d) => applyResolution(d, record, r)). */
export function applyResolution(draft: unknown, record: ConflictRecord, resolution: Resolution): void {
  const root = draft as Obj;
  const pick = chosen(record, resolution);
  if (record.kind === 'concurrent-value') {
    const parent = objectAt(root, record.path.slice(0, -1));
    const key = record.path[record.path.length - 1]!;
    const current = parent[key];
    const wasImmutable = A.isImmutableString(current) || record.values.some((v) => typeof v.value === 'string');
    // Delete, then write: assigning the value the merge already shows makes Automerge
    // only delete the other values and keep the old op standing. A write made
    // elsewhere concurrently with this resolution (having seen the conflict) would
    // then supersede the kept op with no conflict, and the clinician's choice would
    // be lost silently. A new op is concurrent with such a write: a new conflict.
    delete parent[key];
    parent[key] = pick.value === null ? null : wasImmutable ? new A.ImmutableString(String(pick.value)) : pick.value;
    return;
  }
  const listPath = record.path.slice(0, -1);
  const list = objectAt(root, listPath) as unknown as Obj[];
  if (!Array.isArray(list)) throw new ResolveError(`${listPath.join('.')} is not a list`);
  const idField = record.idField ?? 'id';
  const fields = record.fields ?? [];
  const index = list.findIndex((x) => {
    const id = x[idField];
    return (A.isImmutableString(id) ? id.val : id) === record.itemId;
  });
  if (record.kind === 'removed-vs-edited') {
    if (pick.value === null) {
      if (index >= 0) list.splice(index, 1);
      return;
    }
    const snapshot = pick.item ?? record.values.find((v) => v.item)?.item;
    if (!snapshot) throw new ResolveError('no item to restore');
    const item = restore(snapshot);
    if ('value' in resolution && typeof resolution.value === 'string' && fields.length === 1)
      item[fields[0]!] = resolution.value;
    if (index >= 0) list.splice(index, 1, item);
    else list.push(item);
    return;
  }
  // concurrent-list-edit: set the watched field (chart items watch one: text).
  if (index < 0) throw new ResolveError('the item is no longer in the list');
  if (fields.length !== 1) throw new ResolveError('this conflict has no single field to set');
  list[index]![fields[0]!] = pick.value === null ? '' : String(pick.value);
}

/** The message of the change that writes a resolution: it names the conflict (same id on every device). */
export const resolutionMessage = (conflictId: string): string => `resolve conflict ${conflictId}`;
const RESOLUTION_MESSAGE = /^resolve conflict ([0-9a-f]{32})$/;

/** Ids of the conflicts resolved by the changes `doc` holds beyond `heads` (which it must hold). */
export function resolutionsSince(doc: A.Doc<unknown>, heads: string[]): Set<string> {
  const ids = new Set<string>();
  for (const c of A.getChangesMetaSince(doc, heads)) {
    const m = c.message ? RESOLUTION_MESSAGE.exec(c.message) : null;
    if (m) ids.add(m[1]!);
  }
  return ids;
}

/** Convenience for a plain Automerge document; like A.change it supersedes `doc` (clone first to keep it). */
export function resolveConflict<T>(doc: A.Doc<T>, record: ConflictRecord, resolution: Resolution): A.Doc<T> {
  return A.change(doc, { message: resolutionMessage(record.id) }, (d) => applyResolution(d, record, resolution));
}
