// Finding concurrent edits of clinically significant fields after a merge, so they
// go to a review queue instead of being settled silently.
//
// Two kinds of watched data, two rules:
//  - Registers (demographics, MRN): single values stored as ImmutableStrings.
//    Automerge keeps every concurrently written value; getConflicts() lists them.
//    Any register with two or more distinct values is a conflict, whether it arose in
//    this merge or an earlier one (the record id is stable, so re-reporting is harmless).
//  - Lists of assertions (allergies, problems, medications): items carry an id.
//    UNION RULE: items added on either side are both kept (Automerge does that), and
//    an item removed on both sides stays removed — no review needed. What is flagged,
//    by comparing each side with the common base:
//      · removed on one side while its watched fields were edited on the other
//        (Automerge would silently drop the edit with the item);
//      · watched fields edited on both sides to different values (text may have
//        been blended character by character, or one assignment silently lost);
//      · and, like registers, any item field where getConflicts() still shows
//        concurrent values (reported with those values, whenever detected).
import * as A from '@automerge/automerge';
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex, utf8 } from '../identity/bytes';
import { mergeSides } from './history';

export interface ListWatch {
  path: string[];
  /** Field holding the item's stable id. */
  idField: string;
  /** Clinically significant fields of an item: edits to these are compared. */
  fields: string[];
}

export interface WatchConfig {
  /** Paths of single values; '*' as the last part watches every key of that object. */
  registers: string[][];
  lists: ListWatch[];
}

/** The chart document (main/store/charts/chart-doc.ts) watch list. */
export const CHART_WATCH: WatchConfig = {
  registers: [['demographics', '*'], ['mrn']],
  lists: ['allergies', 'problems', 'medications'].map((p) => ({ path: [p], idField: 'id', fields: ['text'] })),
};

export type ConflictKind = 'concurrent-value' | 'concurrent-list-edit' | 'removed-vs-edited';

/** A list item as plain JSON, with the names of fields that were ImmutableStrings (to restore them). */
export interface ItemSnapshot {
  json: Record<string, unknown>;
  immutable: string[];
}

export interface ConflictValue {
  /** The value (strings for ImmutableStrings), null for "removed". */
  value: unknown;
  /** For list conflicts: which side of the merge, and the item as that side had it. */
  side?: 'ours' | 'theirs';
  item?: ItemSnapshot | null;
  /** Register conflicts: the Automerge op that wrote the value. */
  opId?: string;
  /** Who wrote it: the op's actor, or for list conflicts the actors of that side since the base. */
  actors: string[];
  /** Heads of the side the value comes from (list conflicts). */
  heads?: string[];
}

export interface ConflictRecord {
  /** Stable: same document, path, kind and values give the same id. */
  id: string;
  documentId: string;
  kind: ConflictKind;
  path: string[];
  /** List conflicts: the item's id, the field holding it, and the watched fields. */
  itemId?: string;
  idField?: string;
  fields?: string[];
  values: ConflictValue[];
  /** What the document holds now (null when the item is gone). */
  merged: unknown;
  /** Document heads when detected. */
  heads: string[];
}

type Obj = Record<string, unknown>;

const plainValue = (v: unknown): unknown =>
  A.isImmutableString(v) ? v.val : v === undefined ? null : JSON.parse(JSON.stringify(v));

function at(root: unknown, path: string[]): unknown {
  let cur = root;
  for (const p of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Obj)[p];
  }
  return cur;
}

function snapshot(item: Obj): ItemSnapshot {
  const json: Record<string, unknown> = {};
  const immutable: string[] = [];
  for (const [k, v] of Object.entries(item)) {
    if (A.isImmutableString(v)) immutable.push(k);
    json[k] = plainValue(v);
  }
  return { json, immutable };
}

const recordId = (documentId: string, kind: string, path: string[], values: unknown) =>
  toHex(sha256(utf8(JSON.stringify([documentId, kind, path, values])))).slice(0, 32);

function registerConflicts(
  documentId: string,
  doc: A.Doc<unknown>,
  watch: WatchConfig,
  heads: string[],
): ConflictRecord[] {
  const out: ConflictRecord[] = [];
  for (const path of watch.registers) {
    const parentPath = path.slice(0, -1);
    const last = path[path.length - 1]!;
    const parent = parentPath.length === 0 ? doc : at(doc, parentPath);
    if (typeof parent !== 'object' || parent === null) continue;
    const keys = last === '*' ? Object.keys(parent) : [last];
    for (const key of keys) {
      const conflicts = A.getConflicts(parent as A.Doc<unknown>, key);
      if (!conflicts) continue;
      const values = Object.entries(conflicts)
        .map(([opId, v]) => ({ value: plainValue(v), opId, actors: [opId.slice(opId.indexOf('@') + 1)] }))
        .sort((a, b) => a.opId.localeCompare(b.opId));
      if (new Set(values.map((v) => JSON.stringify(v.value))).size < 2) continue;
      const fullPath = [...parentPath, key];
      out.push({
        id: recordId(
          documentId,
          'concurrent-value',
          fullPath,
          values.map((v) => v.opId),
        ),
        documentId,
        kind: 'concurrent-value',
        path: fullPath,
        values,
        merged: plainValue((parent as Obj)[key]),
        heads,
      });
    }
  }
  return out;
}

function itemsById(doc: unknown, w: ListWatch): Map<string, Obj> {
  const list = at(doc, w.path);
  const out = new Map<string, Obj>();
  if (!Array.isArray(list)) return out;
  for (const item of list) {
    if (typeof item !== 'object' || item === null) continue;
    const id = plainValue((item as Obj)[w.idField]);
    if (typeof id === 'string' && !out.has(id)) out.set(id, item as Obj);
  }
  return out;
}

/**
 * Concurrent assignments still standing on a watched item field (one side's value did
 * not supersede the other's): what getConflicts() shows on the merged document. Holds
 * whether the contest arose in this merge or earlier, like registers.
 */
function itemFieldConflicts(
  documentId: string,
  doc: A.Doc<unknown>,
  w: ListWatch,
  heads: string[],
): Map<string, ConflictRecord> {
  const out = new Map<string, ConflictRecord>();
  const list = at(doc, w.path);
  if (!Array.isArray(list)) return out;
  for (const item of list as Obj[]) {
    const id = plainValue(item?.[w.idField]);
    if (typeof id !== 'string' || out.has(id)) continue;
    for (const field of w.fields) {
      const conflicts = A.getConflicts(item as A.Doc<unknown>, field);
      if (!conflicts) continue;
      const values = Object.entries(conflicts)
        .map(([opId, v]) => ({ value: plainValue(v), opId, actors: [opId.slice(opId.indexOf('@') + 1)] }))
        .sort((a, b) => a.opId.localeCompare(b.opId));
      if (new Set(values.map((v) => JSON.stringify(v.value))).size < 2) continue;
      const path = [...w.path, id];
      out.set(id, {
        id: recordId(
          documentId,
          'concurrent-list-edit',
          [...path, field],
          values.map((v) => v.opId),
        ),
        documentId,
        kind: 'concurrent-list-edit',
        path,
        itemId: id,
        idField: w.idField,
        fields: [field],
        values,
        merged: snapshot(item).json,
        heads,
      });
      break;
    }
  }
  return out;
}

const sameHeads = (a: string[], b: string[]) => a.length === b.length && a.every((h, i) => h === b[i]);

function listConflicts(
  documentId: string,
  doc: A.Doc<unknown>,
  oursHeads: string[],
  watch: WatchConfig,
  heads: string[],
): ConflictRecord[] {
  const out: ConflictRecord[] = [];
  // A document new to this replica (no heads of ours) has no "ours" side to contest
  // anything: only contests already standing in it can be reported, as when nothing arrived.
  const sides = oursHeads.length > 0 ? mergeSides(doc, oursHeads) : undefined;
  // A fast-forward (what arrived already built on everything we had: the base is our
  // side) has nothing of ours concurrent with it, so no three-way contest: the three
  // views it would take (the costliest part of taking in a changed chart) are skipped.
  const fastForward = sides !== undefined && sameHeads(sides.base, sides.ours);
  const threeWay = sides !== undefined && sides.theirs.length > 0 && !fastForward;
  const base = threeWay && sides.base.length > 0 ? A.view(doc, sides.base) : {};
  const ours = threeWay ? A.view(doc, sides.ours) : {};
  const theirs = threeWay ? A.view(doc, sides.theirs) : {};
  for (const w of watch.lists) {
    const standing = itemFieldConflicts(documentId, doc, w, heads);
    out.push(...standing.values());
    if (!threeWay || !sides) continue;
    const [b, o, t, m] = [itemsById(base, w), itemsById(ours, w), itemsById(theirs, w), itemsById(doc, w)];
    const watched = (x: Obj) => JSON.stringify(w.fields.map((f) => plainValue(x[f])));
    const edited = (from: Obj | undefined, to: Obj | undefined) => !!from && !!to && watched(from) !== watched(to);
    const ids = new Set([...b.keys(), ...o.keys(), ...t.keys()]);
    for (const id of [...ids].sort()) {
      const [bi, oi, ti] = [b.get(id), o.get(id), t.get(id)];
      let kind: ConflictKind | undefined;
      if (bi && !oi && ti && edited(bi, ti)) kind = 'removed-vs-edited';
      else if (bi && oi && !ti && edited(bi, oi)) kind = 'removed-vs-edited';
      else if (oi && ti && (bi ? edited(bi, oi) && edited(bi, ti) : true) && edited(oi, ti))
        kind = 'concurrent-list-edit';
      // A standing assignment contest on this item is already reported, with the values Automerge keeps.
      if (!kind || (kind === 'concurrent-list-edit' && standing.has(id))) continue;
      const side = (s: 'ours' | 'theirs', item: Obj | undefined): ConflictValue => ({
        value: item
          ? w.fields.length === 1
            ? plainValue(item[w.fields[0]!])
            : w.fields.map((f) => plainValue(item[f]))
          : null,
        side: s,
        item: item ? snapshot(item) : null,
        actors: s === 'ours' ? sides.oursActors : sides.theirsActors,
        heads: s === 'ours' ? sides.ours : sides.theirs,
      });
      const values = [side('ours', oi), side('theirs', ti)];
      const path = [...w.path, id];
      const mi = m.get(id);
      out.push({
        // Order-independent id: the same conflict seen from the other replica is the same record.
        id: recordId(documentId, kind, path, values.map((v) => JSON.stringify(v.value)).sort()),
        documentId,
        kind,
        path,
        itemId: id,
        idField: w.idField,
        fields: w.fields,
        values,
        merged: mi ? snapshot(mi).json : null,
        heads,
      });
    }
  }
  return out;
}

/**
 * Conflicts in `doc` after a merge. `oursHeads` are this replica's heads from just
 * before the merge (automerge-repo: A.getHeads(patchInfo.before) in the handle's
 * 'change' event; bundles: the heads before applying). Pure; never changes the doc.
 */
export function detectConflicts(
  documentId: string,
  doc: A.Doc<unknown>,
  oursHeads: string[],
  watch: WatchConfig = CHART_WATCH,
  opts: { freshlyLoaded?: boolean } = {},
): ConflictRecord[] {
  const heads = A.getHeads(doc);
  // Read conflicts through a view at the current heads, not the live document: in
  // Automerge 3.5, getConflicts() on a document that received changes incrementally
  // (merge, applyChanges, sync messages) can omit one of three concurrent values,
  // while the same document viewed at its heads, or saved and reloaded, lists all of
  // them (regression test in test/sync/conflicts/detect.test.ts). A missing value here
  // would be a concurrent edit nobody reviews. A document just made by A.load() from
  // whole bytes received nothing incrementally: it is read as it is (a view costs about
  // as much as the load, once per chart of a first sync).
  const current = opts.freshlyLoaded ? doc : A.view(doc, heads);
  return [
    ...registerConflicts(documentId, current, watch, heads),
    ...listConflicts(documentId, current, oursHeads, watch, heads),
  ];
}
