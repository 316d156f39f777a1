// Signed entries that arrive from another device. They travel inside their
// patient's chart document (`signedEntries`, keyed by entry id: a map only ever
// added to, so the union of two devices' entries merges without conflict) and are
// stored in the `entries` table only after their hash and signature verify. A
// received entry is never re-signed: the row holds exactly what its author signed.
//
// Stored through the entries repository's storeSignedEntry (the same INSERT and
// Merkle leaf as entries signed here), audited by the caller.
import { ROLES } from '../../api';
import { fromHex, toHex } from '../crypto/encoding';
import type { Db } from '../database';
import { storeSignedEntry } from '../repositories/entries';
import { stmt } from '../statements';
import { checkWireEntry, type EntryVerdict, type WireEntry } from './wire-entries';

/** Checks an entry received for `patientId`: hash, signature, indexed fields, and the author's key. */
export function verifyWireEntry(db: Db, id: string, w: WireEntry, patientId: string): EntryVerdict {
  return authorKeyKept(db, checkWireEntry(id, w, patientId));
}

/** A user id already known here must keep its key: nobody can sign in a known author's name. */
export function authorKeyKept(db: Db, v: EntryVerdict): EntryVerdict {
  if (!v.ok) return v;
  const known = stmt(db, 'SELECT public_key FROM users WHERE id = ?').get(v.content.authorId) as
    { public_key: Buffer } | undefined;
  if (known && toHex(new Uint8Array(known.public_key)) !== v.content.authorKey)
    return { ok: false, reason: 'signed with a key that is not the author’s' };
  return v;
}

export const entryHeld = (db: Db, id: string): boolean =>
  stmt(db, 'SELECT 1 FROM entries WHERE id = ?').get(id) !== undefined;

/**
 * Stores a verified entry verbatim; inside the caller's transaction (which audits it).
 * An author from another device becomes a disabled local user that can never log in
 * (no password, no private key), so the entry's author reference holds.
 */
export function insertReceivedEntry(db: Db, v: Extract<EntryVerdict, { ok: true }>, w: WireEntry): void {
  const c = v.content;
  if (!stmt(db, 'SELECT 1 FROM users WHERE id = ?').get(c.authorId)) {
    const role = (ROLES as readonly string[]).includes(w.authorRole) ? w.authorRole : 'doctor';
    stmt(
      db,
      `INSERT INTO users (id, username, display_name, role, password_hash, public_key, private_key_enc, created_at, disabled)
       VALUES (?, ?, ?, ?, 'remote', ?, x'', ?, 1)`,
    ).run(
      c.authorId,
      `remote:${c.authorId}`,
      String(w.authorName).slice(0, 120) || 'Remote author',
      role,
      Buffer.from(fromHex(c.authorKey)),
      c.createdAt,
    );
  }
  storeSignedEntry(db, {
    id: c.id,
    patientId: c.patientId,
    kind: c.kind,
    authorId: c.authorId,
    createdAt: c.createdAt,
    amends: c.amends,
    canonical: w.canonical,
    contentHash: v.hash,
    signature: fromHex(w.sig),
  });
}

export function recordRefusedEntry(db: Db, entryId: string, documentId: string, reason: string, at: string): boolean {
  return (
    stmt(
      db,
      'INSERT OR IGNORE INTO sync_refused_entries (entry_id, document_id, reason, refused_at) VALUES (?,?,?,?)',
    ).run(entryId, documentId, reason, at).changes === 1
  );
}

/** Local entries of one patient in wire form (to publish into the chart document). */
export function wireEntriesOf(db: Db, patientId: string): Map<string, WireEntry> {
  const rows = stmt(
    db,
    `SELECT e.id, e.canonical, e.signature, u.display_name, u.role FROM entries e JOIN users u ON u.id = e.author_id
     WHERE e.patient_id = ?`,
  ).all(patientId) as { id: string; canonical: string; signature: Buffer; display_name: string; role: string }[];
  return new Map(
    rows.map((r) => [
      r.id,
      {
        canonical: r.canonical,
        sig: toHex(new Uint8Array(r.signature)),
        authorName: r.display_name,
        authorRole: r.role,
      },
    ]),
  );
}

/** Patients with entries added after `afterRowid` (and the new high-water mark). */
export function patientsWithEntriesAfter(db: Db, afterRowid: number): { patientIds: string[]; maxRowid: number } {
  const { m } = stmt(db, 'SELECT max(rowid) AS m FROM entries').get() as { m: number | null };
  const maxRowid = Math.max(afterRowid, m ?? 0);
  // Only entries signed here: one received from a peer came inside its chart already
  // (its author is a disabled "remote:" user), and looking at its chart again would
  // load every chart a first sync brought in.
  const rows = stmt(
    db,
    `SELECT DISTINCT e.patient_id FROM entries e JOIN users u ON u.id = e.author_id
     WHERE e.rowid > ? AND e.rowid <= ? AND u.password_hash <> 'remote'`,
  ).all(afterRowid, maxRowid) as { patient_id: string }[];
  return { patientIds: rows.map((r) => r.patient_id), maxRowid };
}
