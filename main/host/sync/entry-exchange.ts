// Signed entries travel inside their patient's chart document, under
// `signedEntries[entryId]` (see main/store/sync/received-entries.ts for why and how
// they are verified). This module moves them between the `entries` table and the
// documents: publish copies local entries in, receive stores verified ones out.
import type { Db } from '../../store/database';
import { getMeta, setMeta } from '../../store/repositories/meta';
import {
  entryHeld,
  insertReceivedEntry,
  patientsWithEntriesAfter,
  recordRefusedEntry,
  authorKeyKept,
  verifyWireEntry,
  wireEntriesOf,
} from '../../store/sync/received-entries';
import {
  plainWireEntry,
  signedEntriesOf,
  type EntryVerdict,
  type SignedEntriesDoc,
  type WireEntry,
} from '../../store/sync/wire-entries';
import { stmt } from '../../store/statements';

const WATERMARK = 'sync.entries_published_rowid';

/** Patients whose entries were added since the last publish; call markPublished(max) after. */
export function entriesToPublish(db: Db): { patientIds: string[]; maxRowid: number } {
  return patientsWithEntriesAfter(db, Number(getMeta(db, WATERMARK) ?? '0'));
}

export function markPublished(db: Db, maxRowid: number): void {
  db.transaction(() => {
    if (maxRowid > Number(getMeta(db, WATERMARK) ?? '0')) setMeta(db, WATERMARK, String(maxRowid));
  })();
}

/** Inside handle.change(): adds this patient's local entries the document lacks. */
export function missingWireEntries(db: Db, patientId: string, doc: SignedEntriesDoc): [string, WireEntry][] {
  const have = signedEntriesOf(doc);
  return [...wireEntriesOf(db, patientId)].filter(([id]) => !(id in have));
}

export interface ReceiveResult {
  stored: number;
  refused: { id: string; reason: string }[];
  /** Amendments whose original has not arrived yet: tried again at the next change. */
  waiting: number;
}

/**
 * Stores the verified entries of a chart document this device does not hold yet,
 * inside the caller's transaction. An entry that does not verify is refused, recorded
 * in sync_refused_entries and never stored; an amendment waits for its original.
 */
export function receiveEntries(db: Db, documentId: string, patientId: string, doc: SignedEntriesDoc): ReceiveResult {
  return receiveWireEntries(db, documentId, patientId, signedEntriesOf(doc));
}

/**
 * receiveEntries for entries already read out of their document: `checked` holds, by
 * entry id, verdicts of checkWireEntry made elsewhere (bulk-decode.ts, on a worker);
 * an entry without one is checked here.
 */
export function receiveWireEntries(
  db: Db,
  documentId: string,
  patientId: string,
  wires: Record<string, WireEntry>,
  checked?: ReadonlyMap<string, EntryVerdict>,
): ReceiveResult {
  const result: ReceiveResult = { stored: 0, refused: [], waiting: 0 };
  const now = new Date().toISOString();
  const todo: { id: string; w: WireEntry; amends: string | null; verdict: EntryVerdict }[] = [];
  for (const [id, raw] of Object.entries(wires)) {
    if (entryHeld(db, id)) {
      const held = stmt(db, 'SELECT canonical FROM entries WHERE id = ?').get(id) as { canonical: string };
      if (raw && typeof raw === 'object' && String(raw.canonical) !== held.canonical) {
        const reason = 'differs from the entry already stored under this id (entries are append-only)';
        if (recordRefusedEntry(db, id, documentId, reason, now)) result.refused.push({ id, reason });
      }
      continue;
    }
    const w = plainWireEntry(raw);
    const pre = checked?.get(id);
    const verdict = pre ? authorKeyKept(db, pre) : verifyWireEntry(db, id, w, patientId);
    if (!verdict.ok) {
      if (recordRefusedEntry(db, id, documentId, verdict.reason, now))
        result.refused.push({ id, reason: verdict.reason });
      continue;
    }
    todo.push({ id, w, amends: verdict.content.amends, verdict });
  }
  // Originals before their amendments (the amends column references entries).
  let progress = true;
  while (todo.length > 0 && progress) {
    progress = false;
    for (let i = 0; i < todo.length; i++) {
      const t = todo[i]!;
      if (t.amends !== null && !entryHeld(db, t.amends)) continue;
      insertReceivedEntry(db, t.verdict as Extract<typeof t.verdict, { ok: true }>, t.w);
      result.stored++;
      todo.splice(i--, 1);
      progress = true;
    }
  }
  result.waiting = todo.length;
  return result;
}
