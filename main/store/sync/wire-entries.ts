// Signed entries as they travel inside a chart document (`signedEntries[entryId]`),
// and what can be checked of a received one without the database: hash, signature
// and the indexed fields. Pure (Automerge reads, hashing, Ed25519), so the bulk
// decoding thread (main/host/sync/bulk-decode.ts) loads only this, not the store;
// received-entries.ts adds the checks that need the database, and stores.
import * as A from '@automerge/automerge';
import type { Role } from '../../api';
import { fromHex, utf8 } from '../crypto/encoding';
import { sha256 } from '../crypto/hash';
import { verifyEntryRow } from '../repositories/entry-format';

/** The shape an entry has inside a chart document. */
export interface WireEntry {
  canonical: string;
  /** Ed25519 signature, hex. */
  sig: string;
  /** Display only (not signed): who the author is on the device that wrote it. */
  authorName: string;
  authorRole: string;
}

interface SignedContent {
  id: string;
  kind: string;
  patientId: string;
  authorId: string;
  authorKey: string;
  createdAt: string;
  amends: string | null;
}

export type EntryVerdict = { ok: true; content: SignedContent; hash: Uint8Array } | { ok: false; reason: string };

export type SignedEntriesDoc = { signedEntries?: Record<string, WireEntry> };

/**
 * What can be checked of a received entry without the database: hash, signature and
 * the indexed fields. Pure, so a worker thread can run it (bulk-decode.ts); the
 * verdict still needs authorKeyKept() before the entry is stored.
 */
export function checkWireEntry(id: string, w: WireEntry, patientId: string): EntryVerdict {
  if (typeof w?.canonical !== 'string' || typeof w.sig !== 'string' || !/^[0-9a-f]{128}$/.test(w.sig))
    return { ok: false, reason: 'malformed entry' };
  let content: SignedContent;
  try {
    content = JSON.parse(w.canonical) as SignedContent;
  } catch {
    return { ok: false, reason: 'entry content is not JSON' };
  }
  if (content.id !== id) return { ok: false, reason: 'entry id does not match its content' };
  if (content.patientId !== patientId) return { ok: false, reason: 'entry belongs to another patient' };
  if (typeof content.authorKey !== 'string' || !/^[0-9a-f]{64}$/.test(content.authorKey))
    return { ok: false, reason: 'entry names no valid author key' };
  const hash = sha256(utf8(w.canonical));
  const row = {
    id: content.id,
    patient_id: content.patientId,
    kind: content.kind,
    author_id: content.authorId,
    created_at: content.createdAt,
    amends: content.amends,
    canonical: w.canonical,
    content_hash: Buffer.from(hash),
    signature: Buffer.from(fromHex(w.sig)),
    display_name: '',
    role: 'doctor' as Role,
    public_key: Buffer.from(fromHex(content.authorKey)),
  };
  if (!verifyEntryRow(row as Parameters<typeof verifyEntryRow>[0]))
    return { ok: false, reason: 'hash or signature does not verify' };
  return { ok: true, content, hash };
}

/**
 * A wire entry as it is written into a chart document. Its strings are immutable
 * scalars: a plain string would become an Automerge text object, one operation per
 * character, which made every chart many times slower to load, save and sync.
 * Readers take either form (String() of both is the text).
 */
export function wireEntryForDoc(w: WireEntry): WireEntry {
  return {
    canonical: new A.ImmutableString(w.canonical),
    sig: new A.ImmutableString(w.sig),
    authorName: new A.ImmutableString(w.authorName),
    authorRole: new A.ImmutableString(w.authorRole),
  } as unknown as WireEntry;
}

/**
 * Every signed entry in a chart. Two devices that each created `signedEntries` before
 * they met (charts made before it was created with the chart) leave competing maps,
 * and Automerge shows one: the entries of the other are read through getConflicts.
 */
export function signedEntriesOf(doc: SignedEntriesDoc): Record<string, WireEntry> {
  let competing: Record<string, unknown> | undefined;
  try {
    competing = A.getConflicts(doc as A.Doc<SignedEntriesDoc>, 'signedEntries') as Record<string, unknown> | undefined;
  } catch {
    competing = undefined; // not an Automerge document (plain data): no competing maps
  }
  const visible = doc.signedEntries ?? {};
  if (!competing || Object.keys(competing).length < 2) return visible;
  const all: Record<string, WireEntry> = {};
  for (const m of Object.values(competing))
    if (m && typeof m === 'object') for (const [id, w] of Object.entries(m)) all[id] ??= w as WireEntry;
  return { ...all, ...visible };
}

/** A chart's wire entries as plain strings (from a document, or ImmutableStrings). */
export function plainWireEntry(raw: Partial<WireEntry> | undefined): WireEntry {
  return {
    canonical: String(raw?.canonical ?? ''),
    sig: String(raw?.sig ?? ''),
    authorName: String(raw?.authorName ?? ''),
    authorRole: String(raw?.authorRole ?? ''),
  };
}
