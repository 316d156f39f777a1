// Clinical entries: immutable, signed records (vital signs, notes, encounters; later
// lab results, device readings, AI findings). The entry's canonical JSON is what is
// hashed and signed; the row's columns are an index of it, and verification checks
// both agree. An amendment is a new entry that names the one it corrects.
import { uuidv7 } from '../ids';
import type { Entry, EntryKind, Role } from '../../api';
import { canonicalJson } from '../crypto/canonical-json';
import { toHex, utf8 } from '../crypto/encoding';
import { sha256 } from '../crypto/hash';
import type { Db } from '../database';
import { stmt } from '../statements';
import { appendRecordLeaf } from '../anchor-log/record-leaf';
import { verifyEntryRow, type EntryRow, type SignedContent } from './entry-format';

export interface EntryAuthor {
  id: string;
  publicKey: Uint8Array;
  /** Signs with the author's private key (see ed25519Signer). */
  sign(message: Uint8Array): Uint8Array;
}

export interface NewEntry {
  patientId: string;
  kind: EntryKind;
  body: Record<string, unknown>;
  amends?: string | null;
  amendReason?: string | null;
  createdAt?: Date;
}

/** Inserts a signed entry; call inside the write transaction that also audits it. Returns its id. */
export function insertEntry(db: Db, author: EntryAuthor, entry: NewEntry): string {
  return insertSignedEntry(db, author, entry).id;
}

/**
 * Inserts a signed entry and returns it as the API shows it, built from what was
 * just signed rather than read back: the write path stays one insert. Its
 * signature is valid by construction (made here with the author's key); every
 * later read verifies it again from the stored row.
 */
/** An entry exactly as its author signed it, with the fields the entries table indexes. */
export interface SignedEntryRow {
  id: string;
  patientId: string;
  kind: string;
  authorId: string;
  createdAt: string;
  amends: string | null;
  canonical: string;
  contentHash: Uint8Array;
  signature: Uint8Array;
}

/**
 * Writes a signed entry and its Merkle leaf (in the caller's transaction, which
 * audits it): the one INSERT for entries signed here and entries received from
 * another device (sync, bundles), which the caller has verified first
 * (verifyEntryRow). Every record this device holds is in its log.
 */
export function storeSignedEntry(db: Db, e: SignedEntryRow): void {
  const leaf = appendRecordLeaf(db, 'entry', e.id, e.contentHash);
  stmt(
    db,
    `INSERT INTO entries (id, patient_id, kind, author_id, created_at, amends, canonical, content_hash, signature, leaf_index, leaf_salt)
     VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
  ).run(
    e.id,
    e.patientId,
    e.kind,
    e.authorId,
    e.createdAt,
    e.amends,
    e.canonical,
    e.contentHash,
    e.signature,
    leaf.leafIndex,
    leaf.salt,
  );
}

export function insertSignedEntry(
  db: Db,
  author: EntryAuthor & { displayName: string; role: Role },
  entry: NewEntry,
): Entry;
export function insertSignedEntry(db: Db, author: EntryAuthor, entry: NewEntry): { id: string };
export function insertSignedEntry(
  db: Db,
  author: EntryAuthor & Partial<{ displayName: string; role: Role }>,
  entry: NewEntry,
): Entry | { id: string } {
  const content: SignedContent = {
    v: 1,
    id: uuidv7(),
    kind: entry.kind,
    patientId: entry.patientId,
    authorId: author.id,
    authorKey: toHex(author.publicKey),
    createdAt: (entry.createdAt ?? new Date()).toISOString(),
    amends: entry.amends ?? null,
    amendReason: entry.amendReason ?? null,
    body: entry.body,
  };
  const canonical = canonicalJson(content);
  const bytes = utf8(canonical);
  const hash = sha256(bytes);
  const signature = author.sign(bytes);
  storeSignedEntry(db, {
    id: content.id,
    patientId: content.patientId,
    kind: content.kind,
    authorId: content.authorId,
    createdAt: content.createdAt,
    amends: content.amends,
    canonical,
    contentHash: hash,
    signature,
  });
  if (author.displayName === undefined || author.role === undefined) return { id: content.id };
  return {
    id: content.id,
    patientId: content.patientId,
    kind: content.kind,
    body: content.body,
    authorId: author.id,
    authorName: author.displayName,
    authorRole: author.role,
    createdAt: content.createdAt,
    amends: content.amends,
    amendReason: content.amendReason,
    amendedBy: [],
    contentHash: toHex(hash),
    signatureValid: true,
  };
}

type JoinedRow = EntryRow & { display_name: string; role: Role; public_key: Buffer };

const SELECT_JOINED = `SELECT e.*, u.display_name, u.role, u.public_key FROM entries e JOIN users u ON u.id = e.author_id`;

function toEntry(row: JoinedRow, amendedBy: string[]): Entry {
  const content = JSON.parse(row.canonical) as SignedContent;
  return {
    id: row.id,
    patientId: row.patient_id,
    kind: row.kind,
    body: content.body,
    authorId: row.author_id,
    authorName: row.display_name,
    authorRole: row.role,
    createdAt: row.created_at,
    amends: row.amends,
    amendReason: content.amendReason ?? null,
    amendedBy,
    contentHash: toHex(new Uint8Array(row.content_hash)),
    signatureValid: verifyEntryRow(row),
  };
}

/** All entries of a patient, oldest first, each with its verification result. */
export function listEntries(db: Db, patientId: string): Entry[] {
  const rows = stmt(db, `${SELECT_JOINED} WHERE e.patient_id = ? ORDER BY e.created_at, e.rowid`).all(
    patientId,
  ) as JoinedRow[];
  const amendedBy = new Map<string, string[]>();
  for (const r of rows) {
    if (r.amends) amendedBy.set(r.amends, [...(amendedBy.get(r.amends) ?? []), r.id]);
  }
  return rows.map((r) => toEntry(r, amendedBy.get(r.id) ?? []));
}

export function getEntry(db: Db, entryId: string): Entry | undefined {
  const row = stmt(db, `${SELECT_JOINED} WHERE e.id = ?`).get(entryId) as JoinedRow | undefined;
  if (!row) return undefined;
  const amendedBy = (
    stmt(db, 'SELECT id FROM entries WHERE amends = ? ORDER BY created_at, rowid').all(entryId) as { id: string }[]
  ).map((r) => r.id);
  return toEntry(row, amendedBy);
}

export function countEntries(db: Db): number {
  return (stmt(db, 'SELECT count(*) AS n FROM entries').get() as { n: number }).n;
}
