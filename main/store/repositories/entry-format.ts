// The format of a signed entry: what its author signs (SignedContent), the columns
// that index it (EntryRow), and the check that both agree with the hash and the
// signature. Pure (hashing and Ed25519, no database, no Merkle log), so the bulk
// decoding thread can check received entries without loading the store.
import type { EntryKind } from '../../api';
import { verifyEd25519 } from '../crypto/ed25519';
import { toHex, utf8 } from '../crypto/encoding';
import { sha256 } from '../crypto/hash';

/** The signed content of an entry (version 1). Field names are part of the format: never rename. */
export interface SignedContent {
  v: 1;
  id: string;
  kind: EntryKind;
  patientId: string;
  authorId: string;
  authorKey: string;
  createdAt: string;
  amends: string | null;
  amendReason: string | null;
  body: Record<string, unknown>;
}

export interface EntryRow {
  id: string;
  patient_id: string;
  kind: EntryKind;
  author_id: string;
  created_at: string;
  amends: string | null;
  canonical: string;
  content_hash: Buffer;
  signature: Buffer;
}

/** Checks hash, signature and that the indexed columns agree with what was signed. */
export function verifyEntryRow(row: EntryRow & { public_key: Buffer }): boolean {
  const bytes = utf8(row.canonical);
  if (!Buffer.from(sha256(bytes)).equals(row.content_hash)) return false;
  if (!verifyEd25519(new Uint8Array(row.public_key), bytes, new Uint8Array(row.signature))) return false;
  let content: SignedContent;
  try {
    content = JSON.parse(row.canonical) as SignedContent;
  } catch {
    return false;
  }
  return (
    content.id === row.id &&
    content.patientId === row.patient_id &&
    content.kind === row.kind &&
    content.authorId === row.author_id &&
    content.createdAt === row.created_at &&
    content.amends === row.amends &&
    content.authorKey === toHex(new Uint8Array(row.public_key))
  );
}
